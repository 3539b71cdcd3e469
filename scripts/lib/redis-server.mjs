// A throwaway Redis for n8n's queue (Bull) and cache: redis-server on 127.0.0.1:<free port>, its
// files in a folder of its own, no RDB snapshots; AOF only when asked (to survive a kill()).

import { connect } from 'node:net';
import { join } from 'node:path';

import { HOST, makeTempUserFolder } from './paths.mjs';
import { findExecutable, findFreePort } from './processes.mjs';
import { ServerProcess } from './server-process.mjs';

/** True when Redis on port answers PING with +PONG. */
function ping(port) {
	return new Promise((resolvePing) => {
		const sock = connect({ host: HOST, port });
		let answer = '';
		const done = (ok) => {
			sock.destroy();
			resolvePing(ok);
		};
		sock.setTimeout(1000, () => done(false));
		sock.once('error', () => done(false));
		sock.once('connect', () => sock.write('PING\r\n'));
		sock.on('data', (d) => {
			answer += d;
			if (answer.includes('\r\n')) done(answer.startsWith('+PONG'));
		});
	});
}

export class RedisServer extends ServerProcess {
	/**
	 * @param {object} [o]
	 * @param {boolean} [o.appendOnly=false]  write an AOF (fsync every second), so a restart after kill() keeps the queue
	 * @param {boolean} [o.keep]              keep the folder after stop()
	 * @param {string} [o.parent]             where its folder is made (default CACHE_DIR/tmp)
	 */
	constructor({ appendOnly = false, keep = false, parent, log, readyTimeoutMs = 30_000 } = {}) {
		const bin = findExecutable(['redis-server'], 'redis-server');
		const dir = makeTempUserFolder('redis', parent);
		super({ name: 'redis', logFile: join(dir, 'redis.log'), log, readyTimeoutMs, throwawayDir: dir, keep });
		this.bin = bin;
		this.dir = dir;
		this.appendOnly = appendOnly;
		this.host = HOST;
		this.port = undefined;
	}

	/** Starts redis-server on a free port (the same one on a restart) and waits until it answers PING. */
	async start() {
		this.port ??= await findFreePort();
		const args = ['--bind', HOST, '--port', String(this.port), '--dir', this.dir, '--save', '', '--daemonize', 'no'];
		args.push('--appendonly', this.appendOnly ? 'yes' : 'no', '--protected-mode', 'yes');
		this.spawn(this.bin, args, { cwd: this.dir, env: { PATH: process.env.PATH } });
		await this.waitReady(() => ping(this.port));
		return this;
	}

	/** The QUEUE_BULL_REDIS_* environment that points n8n at this server. */
	n8nEnv() {
		return { QUEUE_BULL_REDIS_HOST: this.host, QUEUE_BULL_REDIS_PORT: String(this.port) };
	}
}

/** Starts a throwaway Redis (see RedisServer). */
export async function startRedis(options) {
	return await new RedisServer(options).start();
}
