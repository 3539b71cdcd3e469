// Whole n8n set-ups with this package installed, brought up and torn down as one:
//  - 'single': one `n8n start` on SQLite (n8n's default; what `npm start` runs);
//  - 'queue':  n8n's queue mode (scaling) as its docs lay it out: one main (`n8n start`, editor and
//    REST API), worker(s) (`n8n worker`, run the executions), webhook processes (`n8n webhook`,
//    serve production webhooks) behind a front (nginx, see webhook-front.mjs) that sends every copy of
//    a delivery to the same webhook process, on PostgreSQL and Redis.
//
//   const t = await startTopology({ kind: 'queue', tarball });
//   await t.main.setupOwner();
//   const wf = await t.activateWorkflow('examples/begini-risk-routing.json', { credentials: { beginiApi: cred } });
//   wf.deliveryUrl              ... where Begini sends: through the front (queue), or the main (single)
//   for (const url of wf.productionUrls) ... straight to each webhook process, past the front ...
//   await t.stop();

import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';

import { ensureN8n } from './n8n-install.mjs';
import { N8nHandle } from './n8n-main.mjs';
import { N8nProcess } from './n8n-process.mjs';
import { productionUrl, waitForWebhook } from './n8n-rest.mjs';
import { installPackageTarball } from './package-install.mjs';
import { DEFAULT_N8N_VERSION, HOST, makeTempUserFolder } from './paths.mjs';
import { PostgresServer } from './postgres-server.mjs';
import { defaultLog, findFreePort } from './processes.mjs';
import { RedisServer } from './redis-server.mjs';
import { SqliteDatabase } from './sqlite-database.mjs';
import { WebhookFront } from './webhook-front.mjs';

export class Topology {
	constructor({ kind, folder, removeFolder, database, redis }) {
		this.kind = kind;
		this.folder = folder;
		this.removeFolder = removeFolder;
		this.processes = { main: undefined, workers: [], webhooks: [] };
		this.database = database;
		this.redis = redis;
		/** queue: the WebhookFront before the webhook processes */
		this.front = undefined;
		this.startupMs = undefined;
	}

	/** The main process' handle (N8nHandle: REST API, executions). */
	get main() {
		return this.processes.main;
	}

	/** Who answers production webhooks: the webhook processes in queue mode, else the main. */
	get webhookServers() {
		return this.kind === 'queue' ? this.processes.webhooks : [this.main];
	}

	/** Each webhook server's own base URL, past the front. */
	get webhookBaseUrls() {
		return this.webhookServers.map((p) => p.baseUrl);
	}

	/** Where a sender such as Begini posts deliveries: the front in queue mode, else the main. */
	get deliveryBaseUrl() {
		return this.front?.baseUrl ?? this.webhookBaseUrls[0];
	}

	/** Every n8n process: main, workers, webhook processes. */
	get n8nProcesses() {
		return [this.main, ...this.processes.workers, ...this.processes.webhooks].filter(Boolean);
	}

	/** The production URLs of a workflow's first webhook node on each webhook server (an activated workflow's `webhooks`), past the front. */
	productionUrls(workflow) {
		const { path } = workflow.webhooks[0];
		return this.webhookBaseUrls.map((base) => productionUrl(base, path));
	}

	/** The production URL of a workflow's first webhook node where a sender posts (deliveryBaseUrl). */
	deliveryUrl(workflow) {
		return productionUrl(this.deliveryBaseUrl, workflow.webhooks[0].path);
	}

	/** Waits until every webhook server answers the workflow's production URL (see waitForWebhook). */
	async waitForWebhooks(workflow, options = {}) {
		const urls = this.productionUrls(workflow);
		await Promise.all(urls.map((url, i) => waitForWebhook(url, { logTail: (n) => this.webhookServers[i].logTail(n), ...options })));
		return urls;
	}

	/**
	 * Imports and activates a workflow on the main (importAndActivateWorkflow's options) and waits
	 * until every webhook server serves it. Returns the workflow with `productionUrls`, one per server, and
	 * `deliveryUrl`, where a sender posts (for a workflow with a webhook node).
	 */
	async activateWorkflow(jsonPathOrObject, options) {
		const workflow = await this.main.importAndActivateWorkflow(jsonPathOrObject, options);
		const productionUrls = await this.waitForWebhooks(workflow);
		return { ...workflow, productionUrls, deliveryUrl: workflow.webhooks.length ? this.deliveryUrl(workflow) : undefined };
	}

	/** The last n log lines of every n8n process, each under its name (for a failure message). */
	logTail(n = 40) {
		return this.n8nProcesses.map((p) => `----- ${p.name} (${p.userFolder}) -----\n${p.logTail(n)}`).join('\n');
	}

	/** Stops the front, the webhook processes and workers, then the main, then Redis and PostgreSQL; removes the folders unless kept. */
	async stop() {
		const { workers, webhooks } = this.processes;
		await this.front?.stop();
		await Promise.all([...webhooks, ...workers].map((p) => p.stop()));
		await this.main?.stop();
		await Promise.all([this.redis?.stop(), this.database?.stop?.()]);
		if (this.removeFolder) rmSync(this.folder, { recursive: true, force: true });
	}
}

/**
 * Brings up a topology with the packed package (tarball) installed the way n8n installs a
 * community package. In queue mode each process has its own user folder with its own copy of the
 * package, like one container per process: n8n writes per-process files there (event log,
 * crash journal, config), and a worker or webhook process without the package could not run or
 * serve the node. Nothing is shared but PostgreSQL, Redis and the encryption key.
 *
 * @param {object} o
 * @param {'single'|'queue'} [o.kind='single']
 * @param {string} o.tarball            npm pack output (packPackage)
 * @param {number} [o.workers=1]        queue: `n8n worker` processes
 * @param {number} [o.webhookProcesses=2]  queue: `n8n webhook` processes
 * @param {boolean} [o.front=true]      queue: the front (nginx) before the webhook processes; n8n's production
 *                                      URLs point at it
 * @param {number} [o.port]             the main's port (default a free one)
 * @param {string} [o.folder]           use this folder (kept) instead of a new one under .cache/tmp
 * @param {string} [o.folderPrefix]     name of the new folder
 * @param {boolean} [o.keep]            keep the new folder (and PostgreSQL's, Redis') after stop()
 * @param {object} [o.env]              extra environment for every n8n process
 * @param {(line:string, name:string)=>void} [o.onLog]  every n8n process' log lines, with its name ('n8n webhook-1')
 * @returns {Promise<Topology>}
 */
export async function startTopology({
	kind = 'single',
	tarball,
	workers = 1,
	webhookProcesses = 2,
	front = true,
	version = DEFAULT_N8N_VERSION,
	port,
	folder,
	folderPrefix = `n8n-${kind}`,
	keep = false,
	env = {},
	onLog,
	log = defaultLog,
}) {
	if (!['single', 'queue'].includes(kind)) throw new Error(`Unknown topology ${kind}: single or queue`);
	const t0 = Date.now();
	const inst = await ensureN8n(version, { log });
	const removeFolder = !folder && !keep;
	folder ??= makeTempUserFolder(folderPrefix);
	const install = (userFolder) => installPackageTarball(tarball, userFolder, { log, node: inst.node, n8nVersion: version });
	// every n8n process gets the same options; its log lines go to onLog with its name
	const common = (name) => ({ name, version, log, env, onLog: onLog && ((line) => onLog(line, name)) });
	const mainPort = port ?? (await findFreePort());

	if (kind === 'single') {
		await install(folder);
		const topology = new Topology({ kind, folder, removeFolder, database: new SqliteDatabase(folder) });
		topology.processes.main = new N8nHandle({ ...common('n8n main'), port: mainPort, userFolder: folder });
		await startOrStop(topology, () => topology.main.start());
		topology.startupMs = Date.now() - t0;
		return topology;
	}

	const topology = new Topology({ kind, folder, removeFolder });
	const names = [
		'main',
		...Array.from({ length: workers }, (_, i) => `worker-${i + 1}`),
		...Array.from({ length: webhookProcesses }, (_, i) => `webhook-${i + 1}`),
	];
	await startOrStop(topology, async () => {
		// made in here: without PostgreSQL or Redis installed, the constructors throw (with the apt-get hint)
		const database = (topology.database = new PostgresServer({ keep, log }));
		const redis = (topology.redis = new RedisServer({ keep, log, parent: folder }));
		await Promise.all([database.start(), redis.start(), ...names.map((name) => install(join(folder, name)))]);
		const envOptions = {
			databaseEnv: database.n8nEnv(),
			queue: { redisEnv: redis.n8nEnv(), encryptionKey: randomBytes(24).toString('hex') },
			editorUrl: `http://127.0.0.1:${mainPort}`,
		};
		const n8nProcess = (kind, name, options = {}) =>
			new N8nProcess({ ...common(`n8n ${name}`), kind, userFolder: join(folder, name), envOptions, ...options });
		const webhooks = [];
		for (const name of names.filter((n) => n.startsWith('webhook-'))) {
			webhooks.push(n8nProcess('webhook', name, { port: await findFreePort() }));
		}
		const address = (process) => new URL(process.baseUrl).host;
		if (front && webhooks.length) {
			topology.front = new WebhookFront({ webhooks: webhooks.map(address), main: `${HOST}:${mainPort}`, keep, log, parent: folder });
			await topology.front.reservePort();
		}
		// N8N_WEBHOOK_URL: the production URLs the editor shows, and where a worker's $execution.resumeUrl points
		const publicWebhookUrl = topology.front?.baseUrl ?? webhooks[0]?.baseUrl;
		const mainEnvOptions = { ...envOptions, ...(topology.front && { webhookUrl: publicWebhookUrl }) };
		const workerEnvOptions = { ...envOptions, webhookUrl: publicWebhookUrl };
		const workerList = names.filter((n) => n.startsWith('worker-')).map((name) => n8nProcess('worker', name, { envOptions: workerEnvOptions }));
		const main = new N8nHandle({ ...common('n8n main'), port: mainPort, userFolder: join(folder, 'main'), envOptions: mainEnvOptions });
		main.webhookBaseUrl = publicWebhookUrl ?? main.baseUrl;
		topology.processes = { main, workers: workerList, webhooks };
		// the main first: it runs the database migrations the others would race for
		await main.start();
		await Promise.all([...workerList, ...webhooks].map((p) => p.start()));
		await topology.front?.start();
	});
	topology.startupMs = Date.now() - t0;
	return topology;
}

/** Runs the start-up; on a failure stops whatever did start, then rethrows. */
async function startOrStop(topology, startUp) {
	try {
		await startUp();
	} catch (e) {
		await topology.stop().catch(() => {});
		throw e;
	}
}
