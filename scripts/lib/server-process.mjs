// One long-running server child (n8n, postgres, redis): spawned in its own process group, its
// output kept (last lines in memory, all of it in a log file), readiness polled, and stopped,
// killed or restarted as a whole group. Subclasses implement start() with spawn() + waitReady().

import { spawn } from 'node:child_process';
import { appendFileSync, readFileSync, rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

import { defaultLog, fmtSecs, forEachLine, killGroupOnExit, signalGroup } from './processes.mjs';

export class ServerProcess {
	/**
	 * @param {object} o
	 * @param {string} o.name             how log lines and errors name it ('n8n main', 'postgres')
	 * @param {string} [o.logFile]        also append its output here
	 * @param {(line:string)=>void} [o.onLog]
	 * @param {string} [o.stopSignal]     the signal for a clean stop (postgres: SIGINT = fast shutdown)
	 * @param {number} [o.stopTimeoutMs]  SIGKILL after this long
	 * @param {number} [o.readyTimeoutMs]
	 * @param {string} [o.throwawayDir]   a folder of its own that stop() removes (unless keep)
	 * @param {boolean} [o.keep]
	 */
	constructor({
		name,
		logFile,
		onLog,
		log = defaultLog,
		stopSignal = 'SIGTERM',
		stopTimeoutMs = 20_000,
		readyTimeoutMs = 120_000,
		throwawayDir,
		keep = false,
	}) {
		this.name = name;
		this.throwawayDir = throwawayDir;
		this.keep = keep;
		this.logFile = logFile;
		this.onLog = onLog;
		this.log = log;
		this.stopSignal = stopSignal;
		this.stopTimeoutMs = stopTimeoutMs;
		this.readyTimeoutMs = readyTimeoutMs;
		this.lines = [];
		this.child = undefined;
		this.exited = undefined;
		this.exitPromise = undefined;
		this.startupMs = undefined;
	}

	get running() {
		return Boolean(this.child && !this.exited);
	}

	/** The last n lines it printed (stdout and stderr). */
	logTail(n = 60) {
		return this.lines.slice(-n).join('\n');
	}

	/** Lines it printed that match a RegExp or contain a string. */
	logMatching(pattern) {
		return this.lines.filter((l) => (typeof pattern === 'string' ? l.includes(pattern) : pattern.test(l)));
	}

	/** The whole log of this handle's runs (from the log file). */
	fullLog() {
		try {
			return readFileSync(this.logFile, 'utf8');
		} catch {
			return this.lines.join('\n');
		}
	}

	_record(line) {
		this.lines.push(line);
		if (this.lines.length > 5000) this.lines.splice(0, this.lines.length - 5000);
		if (this.logFile) {
			try {
				appendFileSync(this.logFile, `${line}\n`);
			} catch {
				// the log file is a convenience; the lines stay in memory
			}
		}
		if (this.onLog) this.onLog(line);
	}

	/** Spawns the server in a new process group and starts recording its output. */
	spawn(cmd, args, { cwd, env, uid, gid }) {
		if (this.running) throw new Error(`${this.name} is already running`);
		this._record(`----- [n8n-harness] starting ${this.name} at ${new Date().toISOString()} -----`);
		this.startedAt = Date.now();
		// detached: its own process group, so one signal reaches the server and every helper it forks
		const child = spawn(cmd, args, { cwd, env, uid, gid, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
		this.child = child;
		this.exited = undefined;
		const forget = killGroupOnExit(child.pid);
		forEachLine(child.stdout, (l) => this._record(l));
		forEachLine(child.stderr, (l) => this._record(l));
		this.exitPromise = new Promise((resolveExit) => {
			const done = (exited) => {
				if (this.exited) return;
				this.exited = exited;
				forget();
				resolveExit(exited);
			};
			child.on('exit', (code, signal) => done({ code, signal }));
			child.on('error', (error) => done({ code: null, signal: null, error }));
		});
		return child;
	}

	/**
	 * Polls `probe` until it resolves true. Throws with the log tail when the server exits first
	 * or after readyTimeoutMs (then it is stopped). Records startupMs from spawn().
	 */
	async waitReady(probe, { intervalMs = 250 } = {}) {
		const deadline = this.startedAt + this.readyTimeoutMs;
		for (;;) {
			if (this.exited) {
				throw new Error(`${this.name} exited during startup (${JSON.stringify(this.exited)}). Last log lines:\n${this.logTail(60)}`);
			}
			if (await probe()) break;
			if (Date.now() > deadline) {
				const logText = this.logTail(60);
				await this.stopProcess();
				throw new Error(`${this.name} did not become ready within ${fmtSecs(this.readyTimeoutMs)}. Last log lines:\n${logText}`);
			}
			await sleep(intervalMs);
		}
		this.startupMs = Date.now() - this.startedAt;
	}

	/** Stops it (stopProcess) and removes its throwaway folder unless it is kept. */
	async stop(options) {
		const exited = await this.stopProcess(options);
		if (this.throwawayDir && !this.keep) rmSync(this.throwawayDir, { recursive: true, force: true });
		return exited;
	}

	/** The clean stop signal to the process group, SIGKILL after timeoutMs. Resolves when it exited. */
	async stopProcess({ timeoutMs = this.stopTimeoutMs } = {}) {
		if (!this.running) return this.exited;
		const pid = this.child.pid;
		signalGroup(pid, this.stopSignal);
		const timer = sleep(timeoutMs).then(() => 'timeout');
		if ((await Promise.race([this.exitPromise, timer])) === 'timeout') {
			this._record(`[n8n-harness] ${this.name} did not stop within ${fmtSecs(timeoutMs)}; sending SIGKILL`);
			signalGroup(pid, 'SIGKILL');
			await this.exitPromise;
		}
		// helpers in the group (n8n's task runner, postgres' backends) must not outlive the server
		signalGroup(pid, 'SIGKILL');
		return this.exited;
	}

	/** SIGKILL to the whole process group, as when its machine dies (crash tests). Resolves when it exited. */
	async kill() {
		if (!this.running) return this.exited;
		this._record(`[n8n-harness] killing ${this.name} (SIGKILL)`);
		signalGroup(this.child.pid, 'SIGKILL');
		return await this.exitPromise;
	}

	/** Stops and starts it again with the same data. */
	async restart() {
		await this.stopProcess();
		await this.start();
		return this;
	}
}
