// The environment a harness n8n process runs with: everything bound to and talking to 127.0.0.1
// only, nothing that phones home, and for queue mode the database, Redis and per-kind settings.

import { n8nMajorEnv } from './n8n-versions.mjs';
import { DEFAULT_N8N_VERSION, HOST, LOOPBACK_GUARD } from './paths.mjs';

/** SQLite in <userFolder>/.n8n/database.sqlite, n8n's default, with the pooled (WAL) driver. */
export const SQLITE_ENV = { DB_TYPE: 'sqlite', DB_SQLITE_POOL_SIZE: '2' };

/**
 * @param {object} o
 * @param {'main'|'worker'|'webhook'} [o.kind='main']
 * @param {number} [o.port]          N8N_PORT (main and webhook processes serve HTTP on it)
 * @param {string} o.userFolder      N8N_USER_FOLDER
 * @param {number} o.runnerPort      the task broker's port (main and worker run a task runner)
 * @param {string} [o.editorUrl]     the main's URL (default: this process' own)
 * @param {string} [o.webhookUrl]    where production webhooks are served (default: this process' own URL)
 * @param {object} [o.databaseEnv]   DB_* variables (default SQLite)
 * @param {object} [o.queue]         queue mode: { redisEnv, encryptionKey, healthPort (worker) }
 * @param {object} [o.extra]         anything else, last
 */
export function n8nEnv({
	kind = 'main',
	port,
	userFolder,
	runnerPort,
	editorUrl,
	webhookUrl,
	databaseEnv = SQLITE_ENV,
	queue,
	version = DEFAULT_N8N_VERSION,
	extra = {},
}) {
	const own = port ? `http://${HOST}:${port}` : undefined;
	return {
		N8N_USER_FOLDER: userFolder,
		...(port && { N8N_PORT: String(port) }),
		N8N_LISTEN_ADDRESS: HOST,
		N8N_HOST: HOST,
		N8N_PROTOCOL: 'http',
		N8N_EDITOR_BASE_URL: editorUrl ?? own,
		N8N_WEBHOOK_URL: `${webhookUrl ?? own}/`,
		N8N_SECURE_COOKIE: 'false',
		...databaseEnv,
		// nothing that phones home
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_WHATS_NEW_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_DYNAMIC_BANNERS_ENABLED: 'false',
		N8N_HIRING_BANNER_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_LICENSE_AUTO_RENEW_ENABLED: 'false',
		N8N_AI_ENABLED: 'false',
		N8N_VERIFIED_PACKAGES_ENABLED: 'false', // would fetch the vetted-nodes list from api.n8n.io
		N8N_UNVERIFIED_PACKAGES_ENABLED: 'true',
		N8N_COMMUNITY_PACKAGES_ENABLED: 'true',
		N8N_REINSTALL_MISSING_PACKAGES: 'false',
		N8N_PYTHON_ENABLED: 'false',
		// task runner (Code node) in-process-managed, on its own loopback port
		N8N_RUNNERS_MODE: 'internal',
		N8N_RUNNERS_BROKER_LISTEN_ADDRESS: HOST,
		N8N_RUNNERS_BROKER_PORT: String(runnerPort),
		N8N_RUNNERS_TASK_TIMEOUT: '300',
		N8N_GRACEFUL_SHUTDOWN_TIMEOUT: '10',
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
		N8N_LOG_LEVEL: 'info',
		N8N_LOG_OUTPUT: 'console',
		EXECUTIONS_DATA_SAVE_ON_SUCCESS: 'all',
		EXECUTIONS_DATA_SAVE_ON_ERROR: 'all',
		EXECUTIONS_DATA_SAVE_MANUAL_EXECUTIONS: 'true',
		GENERIC_TIMEZONE: 'UTC',
		TZ: 'UTC',
		NODE_OPTIONS: `--require ${LOOPBACK_GUARD}`,
		// jest sets NODE_ENV=test, with which n8n exits at once (LoadNodesAndCredentials: 'Not available in tests')
		NODE_ENV: 'production',
		...n8nMajorEnv(version),
		...(queue && queueEnv(kind, queue)),
		...extra,
	};
}

/**
 * Queue mode as n8n's docs set it up: every process on the same Redis and database with the same
 * encryption key (the workers decrypt credentials the main stored). Production webhooks are served
 * only by the webhook processes, as behind a load balancer that sends /webhook/* to them (the main
 * would serve them too otherwise), manual executions run on workers (2.x warns that running them on
 * the main is deprecated; then the main runs no task runner), and a worker answers /healthz and
 * /healthz/readiness on its own port, on loopback (n8n's default address is '::').
 */
function queueEnv(kind, { redisEnv, encryptionKey, healthPort }) {
	return {
		EXECUTIONS_MODE: 'queue',
		...redisEnv,
		N8N_ENCRYPTION_KEY: encryptionKey,
		OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS: 'true',
		...(kind === 'main' && { N8N_DISABLE_PRODUCTION_MAIN_PROCESS: 'true' }),
		...(kind === 'worker' && {
			QUEUE_HEALTH_CHECK_ACTIVE: 'true',
			QUEUE_HEALTH_CHECK_PORT: String(healthPort),
			N8N_WORKER_SERVER_ADDRESS: HOST,
		}),
	};
}
