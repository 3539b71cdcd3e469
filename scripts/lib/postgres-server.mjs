// A throwaway PostgreSQL server for n8n: initdb into a folder of its own, postgres on
// 127.0.0.1:<free port>, a password-protected role and database for n8n, psql for queries, and a
// real stall (a session holding a table lock) for tests. PostgreSQL refuses to run as root, so as
// root the server runs as the `postgres` OS user, which must be able to reach its folder.

import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { CACHE_DIR, HOST, makeTempUserFolder } from './paths.mjs';
import { findExecutable, findFreePort, holdInChild, run } from './processes.mjs';
import { ServerProcess } from './server-process.mjs';

const APT_PACKAGE = 'postgresql';

/** The folder with initdb, postgres, pg_isready and psql: N8N_HARNESS_PG_BIN, Debian's newest, or PATH. */
function postgresBinDir() {
	if (process.env.N8N_HARNESS_PG_BIN) return process.env.N8N_HARNESS_PG_BIN;
	const debian = '/usr/lib/postgresql';
	const versions = existsSync(debian)
		? readdirSync(debian)
				.filter((v) => existsSync(join(debian, v, 'bin', 'postgres')))
				.sort((a, b) => Number(b) - Number(a))
		: [];
	if (versions.length) return join(debian, versions[0], 'bin');
	const initdb = findExecutable(['initdb'], APT_PACKAGE);
	return initdb.slice(0, initdb.lastIndexOf('/'));
}

/** The OS user the server runs as: `postgres` when we are root (PostgreSQL refuses root), else us. */
function serverUser() {
	if (process.getuid?.() !== 0) return {};
	const id = (flag) => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
	const uid = id('-u');
	if (!Number.isInteger(uid) || uid === 0) {
		throw new Error(`No 'postgres' OS user to run PostgreSQL as (running as root). Install it with: apt-get install ${APT_PACKAGE}`);
	}
	return { uid, gid: id('-g') };
}

/** A new folder the server's OS user can reach: under CACHE_DIR/tmp, else (a home folder it cannot enter) the system's tmp. */
function makeServerFolder({ uid, gid }) {
	for (const parent of [join(CACHE_DIR, 'tmp'), tmpdir()]) {
		mkdirSync(parent, { recursive: true });
		if (uid !== undefined && spawnSync('test', ['-x', parent], { uid, gid }).status !== 0) continue;
		const dir = makeTempUserFolder('pg', parent);
		if (uid !== undefined) chownSync(dir, uid, gid);
		return dir;
	}
	throw new Error(`The postgres OS user can reach neither ${join(CACHE_DIR, 'tmp')} nor ${tmpdir()}`);
}

const secret = () => randomBytes(12).toString('hex');

export class PostgresServer extends ServerProcess {
	/**
	 * @param {object} [o]
	 * @param {string} [o.user='n8n'], [o.database='n8n']  the role and database n8n gets
	 * @param {boolean} [o.keep]   keep the folder after stop() (to look at postgres.log)
	 */
	constructor({ user = 'n8n', database = 'n8n', keep = false, log, readyTimeoutMs = 60_000 } = {}) {
		const bin = postgresBinDir();
		const runAs = serverUser();
		const dir = makeServerFolder(runAs);
		// SIGINT is postgres' "fast shutdown": open transactions are rolled back, no waiting for clients
		super({ name: 'postgres', logFile: join(dir, 'postgres.log'), log, stopSignal: 'SIGINT', readyTimeoutMs, throwawayDir: dir, keep });
		this.bin = bin;
		this.runAs = runAs;
		this.dir = dir;
		this.dataDir = join(dir, 'data');
		this.user = user;
		this.database = database;
		this.password = secret();
		this.superPassword = secret();
		this.host = HOST;
		this.port = undefined;
	}

	/** Creates the cluster (first time), starts postgres on a free port and waits until it accepts connections. */
	async start() {
		const fresh = !existsSync(this.dataDir);
		if (fresh) await this._initdb();
		this.port ??= await findFreePort();
		// sockets live in the folder too (not /var/run/postgresql, which needs the Debian service);
		// a Unix socket path must stay under 108 bytes, else TCP alone is used
		const socketDir = join(this.dir, `.s.PGSQL.${this.port}`).length < 100 ? this.dir : '';
		const args = ['-D', this.dataDir, '-p', String(this.port), '-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${socketDir}`];
		this.spawn(join(this.bin, 'postgres'), args, { cwd: this.dir, env: this._serverEnv(), ...this.runAs });
		await this.waitReady(async () => spawnSync(join(this.bin, 'pg_isready'), ['-q', '-h', HOST, '-p', String(this.port)]).status === 0);
		if (fresh) {
			await this.psql(['-d', 'postgres', '-c', `CREATE ROLE "${this.user}" LOGIN PASSWORD '${this.password}'`]);
			await this.psql(['-d', 'postgres', '-c', `CREATE DATABASE "${this.database}" OWNER "${this.user}"`]);
		}
		return this;
	}

	async _initdb() {
		const pwfile = join(this.dir, 'superuser-password');
		writeFileSync(pwfile, `${this.superPassword}\n`, { mode: 0o600 });
		if (this.runAs.uid !== undefined) chownSync(pwfile, this.runAs.uid, this.runAs.gid);
		// --no-sync: a throwaway cluster need not be flushed to disk at creation; the server keeps fsync on
		const args = ['-D', this.dataDir, '-U', 'postgres', `--pwfile=${pwfile}`, '--auth-local=trust', '--auth-host=scram-sha-256'];
		args.push('-E', 'UTF8', '--locale=C', '--no-instructions', '--no-sync');
		const r = await run(join(this.bin, 'initdb'), args, { cwd: this.dir, env: this._serverEnv(), ...this.runAs });
		rmSync(pwfile, { force: true });
		if (r.code !== 0) throw new Error(`initdb failed (exit ${r.code}):\n${r.stderr}${r.stdout}`);
	}

	/** initdb's and postgres' environment: none of ours (PG* variables would change what they do). */
	_serverEnv() {
		return { PATH: process.env.PATH, LANG: 'C' };
	}

	/** The DB_* environment that points n8n at this server's database. */
	n8nEnv() {
		return {
			DB_TYPE: 'postgresdb',
			DB_POSTGRESDB_HOST: this.host,
			DB_POSTGRESDB_PORT: String(this.port),
			DB_POSTGRESDB_DATABASE: this.database,
			DB_POSTGRESDB_USER: this.user,
			DB_POSTGRESDB_PASSWORD: this.password,
		};
	}

	/** psql as the superuser over TCP (args after the connection options); throws on an error. */
	async psql(args, { input } = {}) {
		const r = await run(join(this.bin, 'psql'), this._psqlArgs(args), { env: this._psqlEnv(), input });
		if (r.code !== 0) throw new Error(`psql ${args.join(' ')} failed (exit ${r.code}): ${r.stderr}`);
		return r.stdout;
	}

	_psqlArgs(args) {
		return ['-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', '-h', HOST, '-p', String(this.port), '-U', 'postgres', '-d', this.database, ...args];
	}

	_psqlEnv() {
		return { PATH: process.env.PATH, PGPASSWORD: this.superPassword, PGCONNECT_TIMEOUT: '10' };
	}

	/** The rows of a SELECT in n8n's database as objects (json columns parsed, e.g. workflow_entity."staticData"). */
	async query(sql) {
		const out = await this.psql(['-c', `SELECT coalesce(json_agg(t), '[]') FROM (${sql}) t`]);
		return JSON.parse(out);
	}

	/** Sessions now waiting for a lock (e.g. n8n's INSERT behind a stall): [{ pid, query, waitingMs }]. */
	async lockWaiters() {
		return await this.query(
			`SELECT pid, query, (extract(epoch FROM now() - query_start) * 1000)::int AS "waitingMs" FROM pg_stat_activity WHERE wait_event_type = 'Lock'`,
		);
	}

	/**
	 * Cancels every statement now waiting for a lock, as PostgreSQL's statement timeout would once it ran out
	 * (n8n's insert behind a stall then fails). Resolves to how many it cancelled.
	 */
	async cancelLockWaiters() {
		const rows = await this.query(`SELECT pg_cancel_backend(pid) AS cancelled FROM pg_stat_activity WHERE wait_event_type = 'Lock'`);
		return rows.filter((row) => row.cancelled).length;
	}

	/**
	 * Stalls n8n's writes for real: a psql session opens a transaction and takes `mode` locks on
	 * `tables` (default: ACCESS EXCLUSIVE on execution_entity, so every insert of a new execution,
	 * and every read of one, waits). n8n's statement_timeout (DB_POSTGRESDB_STATEMENT_TIMEOUT,
	 * 5 minutes by default) ends a wait that long. Resolves once the lock is held:
	 * { release(): Promise<{ heldMs }> }, which rolls the transaction back.
	 */
	async stall({ tables = ['execution_entity'], mode = 'ACCESS EXCLUSIVE' } = {}) {
		return await holdInChild(join(this.bin, 'psql'), this._psqlArgs([]), {
			script: `BEGIN;\nLOCK TABLE ${tables.join(', ')} IN ${mode} MODE;\nSELECT 'stall-held';\n`,
			readyLine: 'stall-held',
			releaseInput: 'ROLLBACK;\n',
			env: this._psqlEnv(),
		});
	}
}

/** Starts a throwaway PostgreSQL (see PostgresServer). */
export async function startPostgres(options) {
	return await new PostgresServer(options).start();
}
