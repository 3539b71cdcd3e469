// A real, local n8n for this package: pinned n8n (2.x; 1.x too, see n8nMajor) + Node.js 24 from
// the npm registry (or the running Node, for an n8n 1.x that supports it), cached under
// <repo>/.cache, our packed package installed the way n8n installs a community package,
// n8n bound to 127.0.0.1 and kept off the network; one process on SQLite or queue mode on
// PostgreSQL and Redis. Plain Node.js (>= 20) ESM, built-ins only.
//
// This file is the public API; each module under scripts/lib/ does one job (scripts/README.md
// has the map). Used by scripts/start.mjs and the e2e tests.

export {
	BEGINI_TRIGGER_TYPE,
	BEGINI_WEBHOOK_PATH,
	CACHE_DIR,
	DEFAULT_N8N_VERSION,
	DEFAULT_NODE_VERSION,
	HOST,
	LOOPBACK_GUARD,
	ROOT,
	diskUsage,
	makeTempUserFolder,
} from './paths.mjs';
export { findFreePort, isPortInUse } from './processes.mjs';
export { n8nMajor } from './n8n-versions.mjs';
export { ensureNode24, ensureNodeForN8n } from './node-runtime.mjs';
export { ensureN8n } from './n8n-install.mjs';
export { installPackageTarball, packPackage, packRevision } from './package-install.mjs';
export { n8nEnv } from './n8n-env.mjs';
export { N8nProcess } from './n8n-process.mjs';
export { productionUrl, waitForWebhook, webhookPaths } from './n8n-rest.mjs';
export { flattedParse, summarizeExecution } from './executions.mjs';
export { N8nHandle, startN8n } from './n8n-main.mjs';
export { PostgresServer, startPostgres } from './postgres-server.mjs';
export { RedisServer, startRedis } from './redis-server.mjs';
export { SqliteDatabase } from './sqlite-database.mjs';
export { Topology, startTopology } from './topologies.mjs';
