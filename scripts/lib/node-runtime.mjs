// The Node.js n8n runs on: the one running the harness, or Node.js 24 from the npm registry
// (package node-<platform>-<arch>), cached in .cache/node/<version>.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';

import { n8nMajor } from './n8n-versions.mjs';
import { CACHE_DIR, DEFAULT_N8N_VERSION, DEFAULT_NODE_VERSION, n8nPaths } from './paths.mjs';
import { defaultLog, fmtSecs, npmCommand, run, tail, withLock } from './processes.mjs';

function platformPackage() {
	return `node-${process.platform}-${process.arch}`;
}

/**
 * Makes sure a Node.js >= 24 binary is available (needed by n8n 2.x): N8N_HARNESS_NODE_BIN when
 * set, else the platform package `node-<platform>-<arch>@<version>` from the npm registry,
 * cached in .cache/node/<version>.
 * Returns { nodeBin, binDir, nodeDir (headers root for node-gyp), version }.
 */
export async function ensureNode24({ version = DEFAULT_NODE_VERSION, log = defaultLog } = {}) {
	if (process.env.N8N_HARNESS_NODE_BIN) {
		const nodeBin = resolve(process.env.N8N_HARNESS_NODE_BIN);
		const v = spawnSync(nodeBin, ['-v'], { encoding: 'utf8' }).stdout.trim().replace(/^v/, '');
		return { nodeBin, binDir: dirname(nodeBin), nodeDir: dirname(dirname(nodeBin)), version: v };
	}
	const dir = join(CACHE_DIR, 'node', version);
	const pkgDir = join(dir, 'node_modules', platformPackage());
	const nodeBin = join(pkgDir, 'bin', process.platform === 'win32' ? 'node.exe' : 'node');
	const check = () => {
		if (!existsSync(nodeBin)) return false;
		const r = spawnSync(nodeBin, ['-v'], { encoding: 'utf8' });
		return r.status === 0 && r.stdout.trim() === `v${version}`;
	};
	if (!check()) {
		await withLock(
			`${dir}.lock`,
			async () => {
				if (check()) return;
				const t0 = Date.now();
				log(`installing Node.js ${version} from the npm registry (${platformPackage()}@${version})…`);
				mkdirSync(dir, { recursive: true });
				writeFileSync(join(dir, 'package.json'), '{"name":"n8n-harness-node","private":true}\n');
				const r = await run(
					npmCommand(),
					[
						'install',
						`${platformPackage()}@${version}`,
						'--ignore-scripts',
						'--no-save',
						'--no-package-lock',
						'--no-audit',
						'--no-fund',
					],
					{ cwd: dir },
				);
				if (r.code !== 0 || !check()) {
					throw new Error(`Could not install ${platformPackage()}@${version}:\n${tail(r.stderr)}`);
				}
				log(`Node.js ${version} installed in ${fmtSecs(Date.now() - t0)}`);
			},
			{ log, what: `Node.js ${version}` },
		);
	}
	return { nodeBin, binDir: dirname(nodeBin), nodeDir: pkgDir, version };
}

/**
 * The Node.js running this script as an n8n runtime, when it can build native modules
 * offline (its headers are installed beside it, e.g. /usr/include/node). Else undefined.
 */
function currentNode() {
	const binDir = dirname(process.execPath);
	const nodeDir = dirname(binDir);
	if (!existsSync(join(nodeDir, 'include', 'node', 'node_api.h'))) return undefined;
	return { nodeBin: process.execPath, binDir, nodeDir, version: process.versions.node };
}

/**
 * Why an installed n8n cannot run on a Node version: the "engines" of n8n and of
 * isolated-vm, which runs n8n's default 'vm' expression engine (n8n 2.x and 1.123.66+,
 * via @n8n/expression-runtime); on a Node it does not support, n8n exits at startup with
 * "Could not initialize the vm expression engine" (n8n/dist/commands/base-command.js).
 * Checked with the semver n8n itself depends on. Returns e.g.
 * ['isolated-vm@6.2.0 needs node >=22.0.0'], or [] when nothing stands in the way.
 */
function unmetNodeRequirements(n8nDir, nodeVersion) {
	let semver;
	try {
		semver = createRequire(join(n8nDir, 'package.json'))('semver');
	} catch {
		return [`n8n is not installed in ${n8nDir} yet`];
	}
	const unmet = [];
	for (const name of ['n8n', 'isolated-vm']) {
		let pkg;
		try {
			pkg = JSON.parse(readFileSync(join(n8nDir, 'node_modules', name, 'package.json'), 'utf8'));
		} catch {
			continue; // isolated-vm: not a dependency of older n8n 1.x
		}
		const range = pkg.engines?.node;
		if (range && !semver.satisfies(nodeVersion, range)) unmet.push(`${name}@${pkg.version} needs node ${range}`);
	}
	return unmet;
}

const nodeChoiceLogged = new Set();

/**
 * The Node.js a given n8n version runs on. n8n 2.x (and N8N_HARNESS_NODE_BIN): Node.js 24
 * (ensureNode24). n8n 1.x: the Node running the harness (e.g. the system Node 20) when the
 * installed n8n and isolated-vm declare it supported, else Node.js 24, which n8n 1.1xx
 * supports too (engines ">=20.19 <= 24.x"). Same shape as ensureNode24's answer.
 */
export async function ensureNodeForN8n(version = DEFAULT_N8N_VERSION, { log = defaultLog } = {}) {
	if (process.env.N8N_HARNESS_NODE_BIN || n8nMajor(version) >= 2) return await ensureNode24({ log });
	const here = currentNode();
	const unmet = here
		? unmetNodeRequirements(n8nPaths(version).dir, here.version)
		: [`no Node.js headers beside ${process.execPath} to build sqlite3 with`];
	if (unmet.length === 0) return here;
	const node24 = await ensureNode24({ log });
	if (!nodeChoiceLogged.has(version)) {
		nodeChoiceLogged.add(version);
		log(`n8n@${version} runs on Node ${node24.version}, not on this Node ${process.versions.node}: ${unmet.join('; ')}`);
	}
	return node24;
}

/** The environment for running `node` (or npm, node-gyp) from a given Node installation. */
export function nodeEnv(node, extra = {}) {
	const env = { ...process.env, ...extra };
	env.PATH = `${node.binDir}${process.platform === 'win32' ? ';' : ':'}${process.env.PATH ?? ''}`;
	// the machine's npm config may point node-gyp at the system Node's headers
	env.npm_config_nodedir = node.nodeDir;
	return env;
}
