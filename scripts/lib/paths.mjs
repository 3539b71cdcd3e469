// Where the harness keeps things and what it pins: the repository root, the cache folder
// (N8N_HARNESS_CACHE_DIR or <repo>/.cache), default versions, the loopback host, throwaway folders.

import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));

export const ROOT = resolve(HERE, '..', '..');
export const CACHE_DIR = process.env.N8N_HARNESS_CACHE_DIR
	? resolve(process.env.N8N_HARNESS_CACHE_DIR)
	: join(ROOT, '.cache');
export const DEFAULT_N8N_VERSION = process.env.N8N_VERSION ?? '2.41.1';
export const DEFAULT_NODE_VERSION = process.env.N8N_HARNESS_NODE_VERSION ?? '24.21.0';
export const LOOPBACK_GUARD = join(HERE, 'loopback-guard.cjs');
export const BEGINI_TRIGGER_TYPE = 'n8n-nodes-begini.beginiTrigger';
export const BEGINI_WEBHOOK_PATH = 'webhook';

/** Every server the harness starts binds to this address, and every client talks to it. */
export const HOST = '127.0.0.1';

/** Where one n8n version is installed (ensureN8n) and the files it consists of. */
export function n8nPaths(version) {
	const dir = join(CACHE_DIR, 'n8n', version);
	return {
		dir,
		n8nBin: join(dir, 'node_modules', 'n8n', 'bin', 'n8n'),
		n8nPackageDir: join(dir, 'node_modules', 'n8n'),
		marker: join(dir, '.harness-ready.json'),
	};
}

/** A new empty folder under .cache/tmp (or the given parent). */
export function makeTempUserFolder(prefix = 'n8n-user', parent = join(CACHE_DIR, 'tmp')) {
	mkdirSync(parent, { recursive: true });
	const dir = join(parent, `${prefix}-${Date.now()}-${randomBytes(3).toString('hex')}`);
	mkdirSync(dir, { recursive: true });
	return dir;
}

/** Disk usage of a folder in bytes (du -sb when available). */
export function diskUsage(dir) {
	const r = spawnSync('du', ['-sb', dir], { encoding: 'utf8' });
	if (r.status === 0) return Number(r.stdout.split(/\s+/)[0]);
	let total = 0;
	const walk = (d) => {
		for (const ent of readdirSync(d, { withFileTypes: true })) {
			const p = join(d, ent.name);
			if (ent.isDirectory()) walk(p);
			else total += statSync(p).size;
		}
	};
	walk(dir);
	return total;
}
