// Child processes and the machine's resources they share: running a command to completion, a
// cross-process lock, free loopback ports, locating a server binary, a child that holds something
// (a lock) until released, and the last-resort cleanup that kills every process group the harness
// started when this Node process goes away.

import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
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

/**
 * The first of `candidates` (absolute paths, or names looked up on PATH) that exists, else an
 * Error naming the Debian package to install (CI machines may start without it).
 */
export function findExecutable(candidates, aptPackage) {
	for (const c of candidates) {
		if (c.includes('/')) {
			if (existsSync(c)) return c;
			continue;
		}
		const r = spawnSync('sh', ['-c', 'command -v "$0"', c], { encoding: 'utf8' });
		if (r.status === 0 && r.stdout.trim()) return r.stdout.trim();
	}
	throw new Error(
		`None of ${candidates.join(', ')} is installed. Install it with: apt-get install ${aptPackage} (.ci/run does this on CI)`,
	);
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

/**
 * Spawns a helper that takes hold of something (a database lock), given `script` on its stdin if
 * any, and prints `readyLine` once it holds it; it keeps holding until `release()`, which writes
 * `releaseInput` and closes its stdin. Closing stdin is also what ends it when this process dies,
 * so no hold outlives the test that took it. Resolves once the hold is taken:
 * { pid, heldAt, release(): Promise<{ heldMs, code }> }.
 */
export async function holdInChild(cmd, args, { script, readyLine, releaseInput = '', env, uid, gid, timeoutMs = 30_000 }) {
	const child = spawn(cmd, args, { env: env ?? process.env, uid, gid, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
	const forget = killGroupOnExit(child.pid);
	let output = '';
	const exited = new Promise((r) => child.on('close', (code) => r(code)));
	const held = new Promise((resolveHeld, rejectHeld) => {
		const onLine = (line) => {
			output += `${line}\n`;
			if (line.trim() === readyLine) resolveHeld();
		};
		forEachLine(child.stdout, onLine);
		forEachLine(child.stderr, onLine);
		child.on('error', rejectHeld);
		exited.then((code) => rejectHeld(new Error(`${cmd} exited (${code}) before it held the lock:\n${output}`)));
		setTimeout(() => rejectHeld(new Error(`${cmd} did not hold the lock within ${fmtSecs(timeoutMs)}:\n${output}`)), timeoutMs).unref();
	});
	if (script) child.stdin.write(script);
	try {
		await held;
	} catch (e) {
		signalGroup(child.pid, 'SIGKILL');
		forget();
		throw e;
	}
	const heldAt = Date.now();
	let released;
	return {
		pid: child.pid,
		heldAt,
		release() {
			released ??= (async () => {
				child.stdin.end(releaseInput);
				const code = await exited;
				forget();
				return { heldMs: Date.now() - heldAt, code };
			})();
			return released;
		},
	};
}
