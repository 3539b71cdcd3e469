// Child processes and the machine's resources they share: running a command to completion, a
// cross-process lock, free loopback ports, and the last-resort cleanup that kills every process
// group the harness started when this Node process goes away.

import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { createServer, connect as netConnect } from 'node:net';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { HOST } from './paths.mjs';

export function defaultLog(msg) {
	process.stderr.write(`[n8n-harness] ${msg}\n`);
}

export function fmtSecs(ms) {
	return `${(ms / 1000).toFixed(1)}s`;
}

export function tail(text, n = 40) {
	return text.split('\n').slice(-n).join('\n');
}

export function npmCommand() {
	return process.platform === 'win32' ? 'npm.cmd' : 'npm';
}

/** Calls fn with each complete line a readable stream produces (and the unterminated rest at its end). */
export function forEachLine(stream, fn) {
	let buf = '';
	stream.setEncoding('utf8').on('data', (d) => {
		buf += d;
		let i;
		while ((i = buf.indexOf('\n')) >= 0) {
			fn(buf.slice(0, i));
			buf = buf.slice(i + 1);
		}
	});
	stream.on('end', () => buf && fn(buf));
}

/** Runs a command to completion, streaming nothing; resolves with { code, signal, stdout, stderr }. */
export function run(cmd, args, { cwd, env, uid, gid, onLine, timeoutMs, input } = {}) {
	return new Promise((resolvePromise, reject) => {
		const child = spawn(cmd, args, { cwd, env: env ?? process.env, uid, gid, stdio: ['pipe', 'pipe', 'pipe'] });
		child.stdin.end(input);
		let stdout = '';
		let stderr = '';
		child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
		child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
		if (onLine) {
			forEachLine(child.stdout, onLine);
			forEachLine(child.stderr, onLine);
		}
		const timer = timeoutMs ? setTimeout(() => child.kill('SIGKILL'), timeoutMs) : undefined;
		child.on('error', reject);
		child.on('close', (code, signal) => {
			clearTimeout(timer);
			resolvePromise({ code: code ?? (signal ? 128 : 1), signal, stdout, stderr });
		});
	});
}

/**
 * A simple cross-process lock (a file created with O_EXCL holding our pid), so that
 * `npm start` and a test run don't install into the same cache folder at once.
 */
export async function withLock(lockPath, fn, { log = defaultLog, what = lockPath } = {}) {
	mkdirSync(dirname(lockPath), { recursive: true });
	let announced = false;
	for (;;) {
		try {
			const fd = openSync(lockPath, 'wx');
			writeSync(fd, String(process.pid));
			closeSync(fd);
			break;
		} catch (e) {
			if (e.code !== 'EEXIST') throw e;
			let holder = NaN;
			try {
				holder = Number(readFileSync(lockPath, 'utf8'));
			} catch {
				// no lock holder recorded
			}
			if (!isAlive(holder)) {
				rmSync(lockPath, { force: true });
				continue;
			}
			if (!announced) {
				log(`waiting for process ${holder}, which is preparing ${what}…`);
				announced = true;
			}
			await sleep(1000);
		}
	}
	try {
		return await fn();
	} finally {
		rmSync(lockPath, { force: true });
	}
}

/** True when a process (or, for a negative id, a process group) with that id exists. */
function isAlive(pid) {
	if (!Number.isInteger(pid) || pid === 0) return false;
	try {
		process.kill(pid, 0);
		return true;
	} catch {
		return false;
	}
}

/** A free TCP port on 127.0.0.1. */
export function findFreePort() {
	return new Promise((resolvePromise, reject) => {
		const srv = createServer();
		srv.unref();
		srv.on('error', reject);
		srv.listen(0, HOST, () => {
			const { port } = srv.address();
			srv.close(() => resolvePromise(port));
		});
	});
}

/** True when something accepts TCP connections on 127.0.0.1:port. */
export function isPortInUse(port) {
	return new Promise((resolvePromise) => {
		const sock = netConnect({ host: HOST, port });
		sock.once('connect', () => {
			sock.destroy();
			resolvePromise(true);
		});
		sock.once('error', () => resolvePromise(false));
		sock.setTimeout(1000, () => {
			sock.destroy();
			resolvePromise(false);
		});
	});
}

// ---------------------------------------------------------------------------
// last-resort cleanup: the servers run in their own process groups (so one signal reaches a
// server and its helpers, e.g. n8n and its task runner), which also means a Ctrl-C in the terminal
// does not reach them; this kills those groups when this process exits or dies of a signal.

const liveGroups = new Set();
let exitHookInstalled = false;

function killLiveGroups() {
	for (const pgid of liveGroups) {
		try {
			process.kill(-pgid, 'SIGKILL');
		} catch {
			// already gone
		}
	}
	liveGroups.clear();
}

function installExitHook() {
	if (exitHookInstalled) return;
	exitHookInstalled = true;
	process.on('exit', killLiveGroups);
	for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
		process.on(signal, function onSignal() {
			// a program with its own handler (npm start) stops everything itself; otherwise die of the
			// signal as Node would have, after the cleanup ('exit' does not run for a signal death)
			if (process.listenerCount(signal) > 1) return;
			killLiveGroups();
			process.removeListener(signal, onSignal);
			process.kill(process.pid, signal);
		});
	}
}

/** Kills the process group `pgid` if this process exits before `release()` is called. */
export function killGroupOnExit(pgid) {
	installExitHook();
	liveGroups.add(pgid);
	return () => liveGroups.delete(pgid);
}

/** Sends a signal to a whole process group; false when the group is gone. */
export function signalGroup(pgid, signal) {
	try {
		process.kill(-pgid, signal);
		return true;
	} catch {
		return false;
	}
}
