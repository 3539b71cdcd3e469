// The SQLite database of a single-process n8n (<userFolder>/.n8n/database.sqlite), seen from
// outside n8n through python3's sqlite3 module: queries, and a stall (another connection holding
// the write lock) for tests.

import { join } from 'node:path';

import { SQLITE_ENV } from './n8n-env.mjs';
import { findExecutable, holdInChild, run } from './processes.mjs';

// timeout=30: wait up to 30 s for n8n's own write transaction to end before taking the lock
const STALL_PY = `
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
db.execute('BEGIN EXCLUSIVE')
print('stall-held', flush=True)
sys.stdin.read()
db.execute('ROLLBACK')
`;

const QUERY_PY = `
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1], timeout=30)
db.row_factory = sqlite3.Row
rows = [dict(r) for r in db.execute(sys.argv[2])]
db.commit()
print(json.dumps(rows, default=str))
`;

export class SqliteDatabase {
	constructor(userFolder) {
		this.kind = 'sqlite';
		this.file = join(userFolder, '.n8n', 'database.sqlite');
	}

	/** The DB_* environment n8n runs with on it. */
	n8nEnv() {
		return SQLITE_ENV;
	}

	/** The rows of a query as objects (TEXT columns stay strings, e.g. workflow_entity.staticData); a write is committed. */
	async query(sql) {
		const r = await run(python3(), ['-c', QUERY_PY, this.file, sql]);
		if (r.code !== 0) throw new Error(`sqlite query failed: ${r.stderr}`);
		return JSON.parse(r.stdout);
	}

	/**
	 * Stalls n8n's writes: another connection holds SQLite's write lock (BEGIN EXCLUSIVE; n8n runs
	 * the database in WAL mode, so reads go on). Unlike PostgreSQL, n8n's writes do not wait for
	 * the release: they wait out the busy timeout (node-sqlite3's default, 1 s; n8n sets none) and
	 * fail with SQLITE_BUSY (measured: a webhook delivery answered 500 after 2.1 s, no execution
	 * stored). Resolves once the lock is held: { release(): Promise<{ heldMs, code }> }.
	 */
	async stall() {
		return await holdInChild(python3(), ['-c', STALL_PY, this.file], { readyLine: 'stall-held' });
	}
}

function python3() {
	return findExecutable(['python3'], 'python3');
}
