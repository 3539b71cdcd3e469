// One n8n process of a given kind: `n8n start` (main), `n8n worker` or `n8n webhook`, under the
// Node ensureNodeForN8n picks, with its own user folder, ports and log, ready when it answers HTTP.

import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { ensureN8n } from './n8n-install.mjs';
import { n8nEnv } from './n8n-env.mjs';
import { mainReadinessPaths } from './n8n-versions.mjs';
import { nodeEnv } from './node-runtime.mjs';
import { DEFAULT_N8N_VERSION, HOST } from './paths.mjs';
import { defaultLog, findFreePort, isPortInUse } from './processes.mjs';
import { ServerProcess } from './server-process.mjs';

const COMMANDS = { main: ['start'], worker: ['worker'], webhook: ['webhook'] };

export class N8nProcess extends ServerProcess {
	/**
	 * @param {object} o
	 * @param {'main'|'worker'|'webhook'} [o.kind='main']
	 * @param {string} [o.name]            how logs and errors name it (default 'n8n <kind>')
	 * @param {number} [o.port=5678]       HTTP port (main, webhook)
	 * @param {string} o.userFolder        N8N_USER_FOLDER (created if missing)
	 * @param {string} [o.version]         n8n version (default N8N_VERSION or 2.41.1)
	 * @param {number} [o.runnerPort]      task broker port (default port + 1, or a free one)
	 * @param {number} [o.healthPort]      worker: /healthz port (default a free one)
	 * @param {object} [o.envOptions]      more n8nEnv options (editorUrl, webhookUrl, databaseEnv, queue)
	 * @param {object} [o.env]             extra environment for n8n, last
	 * @param {string} [o.logFile]         also append n8n's output here (default <userFolder>/n8n.log)
	 * @param {(line:string)=>void} [o.onLog]  called for each line n8n prints
	 */
	constructor({
		kind = 'main',
		name = `n8n ${kind}`,
		port = 5678,
		userFolder,
		version = DEFAULT_N8N_VERSION,
		runnerPort,
		healthPort,
		envOptions = {},
		env = {},
		logFile,
		onLog,
		readyTimeoutMs = 120_000,
		stopTimeoutMs = 20_000,
		log = defaultLog,
	} = {}) {
		if (!userFolder) throw new Error('N8nProcess: userFolder is required');
		if (!COMMANDS[kind]) throw new Error(`N8nProcess: unknown kind ${kind}`);
		userFolder = resolve(userFolder);
		super({ name, logFile: logFile ?? join(userFolder, 'n8n.log'), onLog, log, readyTimeoutMs, stopTimeoutMs });
		this.kind = kind;
		this.port = kind === 'worker' ? undefined : port;
		this.userFolder = userFolder;
		this.version = version;
		this.runnerPort = runnerPort;
		this.healthPort = healthPort;
		this.envOptions = envOptions;
		this.extraEnv = env;
		this.baseUrl = this.port ? `http://${HOST}:${this.port}` : undefined;
		this.editorUrl = this.baseUrl;
	}

	/** Where readiness is asked: the worker's health server, or the process' own HTTP server. */
	get healthUrl() {
		return this.kind === 'worker' ? `http://${HOST}:${this.healthPort}` : this.baseUrl;
	}

	async start() {
		if (this.running) throw new Error(`${this.name} is already running`);
		const inst = await ensureN8n(this.version, { log: this.log });
		this.install = inst;
		mkdirSync(this.userFolder, { recursive: true });
		if (this.port && (await isPortInUse(this.port))) {
			throw new Error(`Port ${this.port} on ${HOST} is already in use; choose another port`);
		}
		if (this.runnerPort === undefined) {
			this.runnerPort = this.port && !(await isPortInUse(this.port + 1)) ? this.port + 1 : await findFreePort();
		}
		if (this.kind === 'worker') this.healthPort ??= await findFreePort();
		const env = {
			...nodeEnv(inst.node),
			...n8nEnv({
				...this.envOptions,
				kind: this.kind,
				port: this.port,
				userFolder: this.userFolder,
				runnerPort: this.runnerPort,
				version: this.version,
				queue: this.envOptions.queue && { ...this.envOptions.queue, healthPort: this.healthPort },
				extra: this.extraEnv,
			}),
		};
		// npm's own variables (when run from an npm script) are not n8n's business
		for (const k of Object.keys(env)) if (k.startsWith('npm_') && !(k in this.extraEnv)) delete env[k];
		this._record(`[n8n-harness] n8n@${this.version} ${this.kind} on ${this.healthUrl} (task broker port ${this.runnerPort})`);
		this.spawn(inst.node.nodeBin, [inst.n8nBin, ...COMMANDS[this.kind]], { cwd: this.userFolder, env });
		await this.waitReady(() => this._answersRequests());
		return this;
	}

	/**
	 * True once it serves requests: the main its REST API (mainReadinessPaths), a webhook process
	 * and a worker /healthz/readiness (DB connected and migrated; for a worker also Redis).
	 */
	async _answersRequests() {
		const paths = this.kind === 'main' ? mainReadinessPaths(this.version) : ['/healthz/readiness'];
		for (const path of paths) {
			try {
				const res = await fetch(`${this.healthUrl}${path}`, { signal: AbortSignal.timeout(2000) });
				await res.arrayBuffer();
				if (res.status !== 200) return false;
			} catch {
				return false; // not listening yet
			}
		}
		return true;
	}
}
