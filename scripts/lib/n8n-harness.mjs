// A real, local n8n for this package: pinned n8n (2.x; 1.x too, see n8nMajor) + Node.js 24 from
// the npm registry (or the running Node, for an n8n 1.x that supports it), cached under
// <repo>/.cache, our packed package installed the way n8n installs a community package,
// n8n bound to 127.0.0.1 and kept off the network.
//
// Plain Node.js (>= 20) ESM, built-ins only. Used by scripts/start.mjs and the e2e tests.
//
//   const n8n = await startN8n({ port: 5678, userFolder });
//   await n8n.setupOwner();
//   const cred = await n8n.createCredential({ name, type: 'beginiApi', data });
//   const wf = await n8n.importAndActivateWorkflow('examples/begini-risk-routing.json', { credentials: { beginiApi: cred } });
//   await n8n.waitForWebhook(wf.productionWebhookUrl);
//   ... send deliveries ...
//   const [exec] = await n8n.waitForExecutions(wf.id, { count: 1 });
//   const details = await n8n.getExecution(exec.id);
//   await n8n.stop();

import { spawn, spawnSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import {
	appendFileSync,
	closeSync,
	cpSync,
	existsSync,
	mkdirSync,
	openSync,
	readFileSync,
	readdirSync,
	rmSync,
	statSync,
	symlinkSync,
	writeFileSync,
	writeSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { createServer, connect as netConnect } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CACHE_DIR = process.env.N8N_HARNESS_CACHE_DIR
	? resolve(process.env.N8N_HARNESS_CACHE_DIR)
	: join(ROOT, '.cache');
export const DEFAULT_N8N_VERSION = process.env.N8N_VERSION ?? '2.41.1';
export const DEFAULT_NODE_VERSION = process.env.N8N_HARNESS_NODE_VERSION ?? '24.21.0';
export const LOOPBACK_GUARD = join(dirname(fileURLToPath(import.meta.url)), 'loopback-guard.cjs');
export const BEGINI_TRIGGER_TYPE = 'n8n-nodes-begini.beginiTrigger';
export const BEGINI_WEBHOOK_PATH = 'webhook';

const HOST = '127.0.0.1';

// ---------------------------------------------------------------------------
// small utilities

function defaultLog(msg) {
	process.stderr.write(`[n8n-harness] ${msg}\n`);
}

function fmtSecs(ms) {
	return `${(ms / 1000).toFixed(1)}s`;
}

function npmCommand() {
	return process.platform === 'win32' ? 'npm.cmd' : 'npm';
}

/** Runs a command, streaming nothing; resolves with { code, stdout, stderr }. */
function run(cmd, args, { cwd, env, onLine, timeoutMs } = {}) {
	return new Promise((resolvePromise, reject) => {
		const child = spawn(cmd, args, { cwd, env: env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
		let stdout = '';
		let stderr = '';
		let buf = '';
		const feed = (chunk) => {
			if (!onLine) return;
			buf += chunk;
			let i;
			while ((i = buf.indexOf('\n')) >= 0) {
				onLine(buf.slice(0, i));
				buf = buf.slice(i + 1);
			}
		};
		child.stdout.setEncoding('utf8').on('data', (d) => {
			stdout += d;
			feed(d);
		});
		child.stderr.setEncoding('utf8').on('data', (d) => {
			stderr += d;
			feed(d);
		});
		let timer;
		if (timeoutMs) timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
		child.on('error', reject);
		child.on('close', (code, signal) => {
			clearTimeout(timer);
			if (buf && onLine) onLine(buf);
			resolvePromise({ code: code ?? (signal ? 128 : 1), signal, stdout, stderr });
		});
	});
}

function tail(text, n = 40) {
	return text.split('\n').slice(-n).join('\n');
}

/**
 * A simple cross-process lock (a file created with O_EXCL holding our pid), so that
 * `npm start` and a test run don't install into the same cache folder at once.
 */
async function withLock(lockPath, fn, { log = defaultLog, what = lockPath } = {}) {
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
			let alive = false;
			if (Number.isInteger(holder) && holder > 0) {
				try {
					process.kill(holder, 0);
					alive = true;
				} catch {
					// the lock holder is gone
				}
			}
			if (!alive) {
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
 * Parses n8n's "flatted" serialization (how execution data is stored and sent):
 * a JSON array whose first element is the root; inside objects every string is
 * an index (as a string) into the array.
 */
export function flattedParse(text) {
	const input = typeof text === 'string' ? JSON.parse(text) : text;
	if (!Array.isArray(input)) return input;
	const done = new Map();
	const resolveIdx = (idx) => {
		const v = input[idx];
		if (v === null || typeof v !== 'object') return v;
		if (done.has(idx)) return done.get(idx);
		const out = Array.isArray(v) ? [] : {};
		done.set(idx, out);
		for (const [k, val] of Object.entries(v)) {
			out[k] = typeof val === 'string' ? resolveIdx(Number(val)) : val;
		}
		return out;
	};
	return resolveIdx(0);
}

// ---------------------------------------------------------------------------
// what differs between n8n 1.x and 2.x

/** The major version of an n8n version string ('1.123.81' → 1). */
export function n8nMajor(version = DEFAULT_N8N_VERSION) {
	const major = Number.parseInt(String(version), 10);
	if (!Number.isInteger(major)) throw new Error(`Not an n8n version: ${version}`);
	return major;
}

/**
 * npm "overrides" for the cache folder n8n is installed into. Every n8n-nodes-base 1.x
 * depends on `xlsx` as a tarball URL on cdn.sheetjs.com, which is not the npm registry
 * (and not reachable here); n8n 2.x itself switched to `@e965/xlsx`, a registry
 * republication of the same SheetJS builds. For 1.x the same SheetJS version (0.20.2)
 * is taken from there. Only n8n's spreadsheet nodes use it.
 */
function n8nInstallOverrides(version) {
	return n8nMajor(version) < 2 ? { xlsx: 'npm:@e965/xlsx@0.20.2' } : undefined;
}

// ---------------------------------------------------------------------------
// Node.js: the one running the harness, or Node.js 24 from the npm registry

function platformPackage() {
	const plat = process.platform;
	const arch = process.arch;
	return `node-${plat}-${arch}`;
}

/**
 * Makes sure a Node.js >= 24 binary is available (needed by n8n 2.x): the running
 * Node when it is >= 24 and has headers beside it, else the platform package
 * `node-<platform>-<arch>@<version>` from the npm registry, cached in .cache/node/<version>.
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

// ---------------------------------------------------------------------------
// n8n itself

function n8nPaths(version) {
	const dir = join(CACHE_DIR, 'n8n', version);
	return {
		dir,
		n8nBin: join(dir, 'node_modules', 'n8n', 'bin', 'n8n'),
		n8nPackageDir: join(dir, 'node_modules', 'n8n'),
		marker: join(dir, '.harness-ready.json'),
	};
}

function nodeEnv(node, extra = {}) {
	const env = { ...process.env, ...extra };
	env.PATH = `${node.binDir}${process.platform === 'win32' ? ';' : ':'}${process.env.PATH ?? ''}`;
	// the machine's npm config may point node-gyp at the system Node's headers
	env.npm_config_nodedir = node.nodeDir;
	return env;
}

/** Checks that n8n's native modules load under the given Node. Returns an error text or ''. */
function checkNativeModules(node, dir) {
	// isolated-vm is only checked where n8n has it (2.x, 1.123.66+)
	const script = `
		const sqlite3 = require('sqlite3');
		if (require('node:fs').existsSync('node_modules/isolated-vm')) {
			const ivm = require('isolated-vm');
			const iso = new ivm.Isolate({ memoryLimit: 16 });
			if (iso.compileScriptSync('6*7').runSync(iso.createContextSync()) !== 42) throw new Error('isolated-vm broken');
		}
		new sqlite3.Database(':memory:').get('select 1 as one', (err, row) => {
			if (err || row.one !== 1) { console.error(err); process.exit(1); }
			process.exit(0);
		});`;
	const r = spawnSync(node.nodeBin, ['-e', script], { cwd: dir, encoding: 'utf8', env: nodeEnv(node) });
	return r.status === 0 ? '' : `${r.stdout}\n${r.stderr}`.trim();
}

/**
 * `npm install n8n@version --ignore-scripts` into p.dir (its install scripts would download
 * from the web; native modules are built afterwards), with the version's npm overrides,
 * logging to p.dir/install.log. `node` (optional) is put first on PATH for npm.
 */
async function downloadN8n(version, p, { log = defaultLog, node } = {}) {
	const t0 = Date.now();
	mkdirSync(p.dir, { recursive: true });
	const overrides = n8nInstallOverrides(version);
	writeFileSync(
		join(p.dir, 'package.json'),
		`${JSON.stringify({ name: 'n8n-harness-runtime', private: true, ...(overrides && { overrides }) }, null, 2)}\n`,
	);
	const installLog = join(p.dir, 'install.log');
	writeFileSync(installLog, '');
	log(
		`installing n8n@${version} into ${p.dir} (first time only: a few minutes and ~2-3 GB; log: ${installLog})…`,
	);
	let fetches = 0;
	const ticker = setInterval(
		() => log(`  …still installing n8n@${version}: ${fetches} registry requests, ${fmtSecs(Date.now() - t0)} elapsed`),
		15_000,
	);
	const r = await run(
		npmCommand(),
		['install', `n8n@${version}`, '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=http'],
		{
			cwd: p.dir,
			env: node ? nodeEnv(node) : process.env,
			onLine: (line) => {
				appendFileSync(installLog, `${line}\n`);
				if (line.includes('http fetch')) fetches++;
			},
		},
	).finally(() => clearInterval(ticker));
	if (r.code !== 0 || !existsSync(p.n8nBin)) {
		throw new Error(`npm install n8n@${version} failed (exit ${r.code}); see ${installLog}:\n${tail(r.stderr, 30)}`);
	}
	log(`n8n@${version} downloaded in ${fmtSecs(Date.now() - t0)}`);
	return true;
}

/**
 * Makes sure n8n@version is installed under .cache/n8n/<version> with its native
 * modules built for the Node it runs on (ensureNodeForN8n: Node 24 for 2.x; for 1.x the
 * Node running the harness when n8n and isolated-vm support it, else Node 24):
 * `npm install n8n@version --ignore-scripts` (downloadN8n), then sqlite3 built from
 * source against that Node's headers. isolated-vm ships linux-x64 prebuilds for Node
 * 22/24; it is rebuilt from source only when it does not load. Progress goes to `log`
 * during the long first install. Returns { version, dir, n8nBin, n8nPackageDir, node }.
 */
export async function ensureN8n(version = DEFAULT_N8N_VERSION, { log = defaultLog, node } = {}) {
	const p = n8nPaths(version);
	if (!node && n8nMajor(version) < 2 && !existsSync(p.n8nBin)) {
		// the Node n8n 1.x runs on is read from what it installs ("engines"), so fetch it first;
		// with --ignore-scripts nothing in this step depends on the Node it will run on
		await withLock(`${p.dir}.lock`, () => existsSync(p.n8nBin) || downloadN8n(version, p, { log }), {
			log,
			what: `n8n@${version}`,
		});
	}
	node ??= await ensureNodeForN8n(version, { log });
	const ready = () => {
		if (!existsSync(p.marker) || !existsSync(p.n8nBin)) return false;
		try {
			const m = JSON.parse(readFileSync(p.marker, 'utf8'));
			return m.version === version && m.nodeMajor === node.version.split('.')[0];
		} catch {
			return false;
		}
	};
	if (!ready()) {
		await withLock(
			`${p.dir}.lock`,
			async () => {
				if (ready()) return;
				const t0 = Date.now();
				if (!existsSync(p.n8nBin)) await downloadN8n(version, p, { log, node });
				const installLog = join(p.dir, 'install.log');
				let problem = checkNativeModules(node, p.dir);
				if (problem.includes('sqlite3') || problem.includes('node_sqlite3')) {
					const t1 = Date.now();
					log(`building sqlite3 from source for Node ${node.version} (about a minute)…`);
					const r = await run(
						npmCommand(),
						['rebuild', 'sqlite3', '--build-from-source', '--ignore-scripts=false', '--foreground-scripts'],
						{ cwd: p.dir, env: nodeEnv(node), onLine: (l) => appendFileSync(installLog, `${l}\n`) },
					);
					if (r.code !== 0) throw new Error(`sqlite3 build failed; see ${installLog}:\n${tail(r.stderr, 30)}`);
					log(`sqlite3 built in ${fmtSecs(Date.now() - t1)}`);
					problem = checkNativeModules(node, p.dir);
				}
				if (problem.includes('isolated-vm')) {
					const t1 = Date.now();
					log(`building isolated-vm for Node ${node.version} (no prebuild loaded; several minutes)…`);
					const r = await run(
						npmCommand(),
						['rebuild', 'isolated-vm', '--ignore-scripts=false', '--foreground-scripts'],
						{ cwd: p.dir, env: nodeEnv(node), onLine: (l) => appendFileSync(installLog, `${l}\n`) },
					);
					if (r.code !== 0) throw new Error(`isolated-vm build failed; see ${installLog}:\n${tail(r.stderr, 30)}`);
					log(`isolated-vm built in ${fmtSecs(Date.now() - t1)}`);
					problem = checkNativeModules(node, p.dir);
				}
				if (problem) throw new Error(`n8n's native modules do not load under Node ${node.version}:\n${problem}`);
				writeFileSync(
					p.marker,
					`${JSON.stringify(
						{ version, nodeVersion: node.version, nodeMajor: node.version.split('.')[0], readyAt: new Date().toISOString() },
						null,
						2,
					)}\n`,
				);
				log(`n8n@${version} ready for Node ${node.version} in ${fmtSecs(Date.now() - t0)}`);
			},
			{ log, what: `n8n@${version}` },
		);
	}
	return { version, ...p, node };
}

// ---------------------------------------------------------------------------
// our package

/**
 * Packs this repository with `npm pack` into .cache/pack and returns the tarball path.
 *  - build: true runs `npm run build` first (when package.json has a build script).
 *  - stage: true copies the sources (not node_modules/.git/.cache/dist) to .cache/stage,
 *    builds and packs there, so the working tree's dist/ is left alone (e.g. while
 *    someone else is running tests against it). Implies build.
 */
export async function packPackage({ build = false, stage = false, log = defaultLog, cwd = ROOT } = {}) {
	let dir = cwd;
	if (stage) {
		dir = join(CACHE_DIR, 'stage');
		rmSync(dir, { recursive: true, force: true });
		const skip = new Set(['node_modules', '.git', '.cache', 'dist', 'coverage']);
		mkdirSync(dir, { recursive: true });
		for (const ent of readdirSync(cwd)) {
			if (skip.has(ent) || ent.endsWith('.tgz')) continue;
			cpSync(join(cwd, ent), join(dir, ent), { recursive: true });
		}
		symlinkSync(join(cwd, 'node_modules'), join(dir, 'node_modules'), 'dir');
		build = true;
	}
	const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
	if (build && pkg.scripts?.build) {
		const t0 = Date.now();
		log(`npm run build${stage ? ` (in ${dir})` : ''}…`);
		const r = await run(npmCommand(), ['run', 'build'], { cwd: dir });
		if (r.code !== 0) throw new Error(`npm run build failed:\n${tail(`${r.stdout}\n${r.stderr}`, 40)}`);
		log(`built in ${fmtSecs(Date.now() - t0)}`);
	}
	for (const f of pkg.n8n?.nodes ?? []) {
		if (!existsSync(join(dir, f))) log(`warning: ${f} (listed in package.json "n8n.nodes") does not exist`);
	}
	const dest = join(CACHE_DIR, 'pack');
	mkdirSync(dest, { recursive: true });
	const r = await run(npmCommand(), ['pack', '--json', '--ignore-scripts', '--pack-destination', dest], { cwd: dir });
	if (r.code !== 0) throw new Error(`npm pack failed:\n${tail(r.stderr, 30)}`);
	const info = JSON.parse(r.stdout.slice(r.stdout.indexOf('[')));
	const tarball = join(dest, info[0].filename);
	log(`packed ${info[0].name}@${info[0].version}: ${info[0].files.length} files, ${info[0].size} bytes → ${tarball}`);
	return tarball;
}

/**
 * Installs a package tarball into <userFolder>/.n8n/nodes the way n8n's (2.x and 1.123.x)
 * CommunityPackagesService.downloadPackage does (dist/modules/community-packages/
 * community-packages.service.js): extract into nodes/node_modules/<name>, drop
 * dev/peer/optional dependencies from its package.json, `npm install` its runtime
 * dependencies inside it (shallow, no scripts), and record it in nodes/package.json.
 * n8n loads every package in nodes/node_modules at startup (community-packages.module.js
 * nodeLoaders → scanDirectoryForPackages), giving node types `<package>.<node>`.
 * (A UI/REST install also writes rows to installed_packages/installed_nodes; those only
 * feed the Settings › Community nodes page.)
 */
export async function installPackageTarball(
	tarballPath,
	userFolder,
	{ log = defaultLog, node, n8nVersion = DEFAULT_N8N_VERSION } = {},
) {
	tarballPath = resolve(tarballPath);
	const nodesDir = join(userFolder, '.n8n', 'nodes');
	const pj = spawnSync('tar', ['-xzOf', tarballPath, 'package/package.json'], { encoding: 'utf8' });
	if (pj.status !== 0) throw new Error(`Cannot read package.json from ${tarballPath}: ${pj.stderr}`);
	const { name, version } = JSON.parse(pj.stdout);
	const pkgDir = join(nodesDir, 'node_modules', ...name.split('/'));
	rmSync(pkgDir, { recursive: true, force: true });
	mkdirSync(pkgDir, { recursive: true });
	const x = spawnSync('tar', ['-xzf', tarballPath, '-C', pkgDir, '--strip-components=1'], { encoding: 'utf8' });
	if (x.status !== 0) throw new Error(`tar failed: ${x.stderr}`);
	const pkgJsonPath = join(pkgDir, 'package.json');
	const { devDependencies, peerDependencies, optionalDependencies, ...packageJson } = JSON.parse(
		readFileSync(pkgJsonPath, 'utf8'),
	);
	writeFileSync(pkgJsonPath, JSON.stringify(packageJson, null, 2), 'utf8');
	if (Object.keys(packageJson.dependencies ?? {}).length > 0) {
		node ??= await ensureNodeForN8n(n8nVersion, { log });
		log(`installing ${name}'s dependencies…`);
		const r = await run(
			npmCommand(),
			[
				'install',
				'--audit=false',
				'--fund=false',
				'--bin-links=false',
				'--install-strategy=shallow',
				'--ignore-scripts=true',
				'--package-lock=false',
			],
			{ cwd: pkgDir, env: nodeEnv(node) },
		);
		if (r.code !== 0) throw new Error(`npm install in ${pkgDir} failed:\n${tail(r.stderr, 30)}`);
	}
	const rootPkgPath = join(nodesDir, 'package.json');
	let rootPkg = { name: 'installed-nodes', private: true, dependencies: {} };
	try {
		rootPkg = JSON.parse(readFileSync(rootPkgPath, 'utf8'));
		rootPkg.dependencies ??= {};
	} catch {
		// no root package.json yet: start a new one
	}
	rootPkg.dependencies[name] = version;
	writeFileSync(rootPkgPath, JSON.stringify(rootPkg, null, 2), 'utf8');
	log(`installed ${name}@${version} into ${pkgDir}`);
	return { name, version, dir: pkgDir };
}

// ---------------------------------------------------------------------------
// environment

/**
 * Environment that only one n8n major understands. n8n 1.x refuses to start when
 * N8N_DISABLED_MODULES names a module it does not know (UnknownModuleError from
 * @n8n/backend-common/dist/modules/modules.config.js), and 'mcp-registry' is 2.x-only.
 */
function n8nMajorEnv(version) {
	if (n8nMajor(version) < 2) return {};
	return { N8N_DISABLED_MODULES: 'mcp-registry' }; // refreshes an MCP server list from api.n8n.io
}

/** The environment a harness n8n runs with (everything bound to / talking to 127.0.0.1 only). */
export function n8nEnv({ port, userFolder, runnerPort, version = DEFAULT_N8N_VERSION, extra = {} }) {
	const base = `http://${HOST}:${port}`;
	return {
		N8N_USER_FOLDER: userFolder,
		N8N_PORT: String(port),
		N8N_LISTEN_ADDRESS: HOST,
		N8N_HOST: HOST,
		N8N_PROTOCOL: 'http',
		N8N_EDITOR_BASE_URL: base,
		N8N_WEBHOOK_URL: `${base}/`,
		N8N_SECURE_COOKIE: 'false',
		DB_TYPE: 'sqlite',
		DB_SQLITE_POOL_SIZE: '2',
		// nothing that phones home
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_WHATS_NEW_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_DYNAMIC_BANNERS_ENABLED: 'false',
		N8N_HIRING_BANNER_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_LICENSE_AUTO_RENEW_ENABLED: 'false',
		N8N_AI_ENABLED: 'false',
		N8N_VERIFIED_PACKAGES_ENABLED: 'false', // would fetch the vetted-nodes list from api.n8n.io
		N8N_UNVERIFIED_PACKAGES_ENABLED: 'true',
		N8N_COMMUNITY_PACKAGES_ENABLED: 'true',
		N8N_REINSTALL_MISSING_PACKAGES: 'false',
		N8N_PYTHON_ENABLED: 'false',
		// task runner (Code node) in-process-managed, on its own loopback port
		N8N_RUNNERS_MODE: 'internal',
		N8N_RUNNERS_BROKER_LISTEN_ADDRESS: HOST,
		N8N_RUNNERS_BROKER_PORT: String(runnerPort),
		N8N_RUNNERS_TASK_TIMEOUT: '300',
		N8N_GRACEFUL_SHUTDOWN_TIMEOUT: '10',
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
		N8N_LOG_LEVEL: 'info',
		N8N_LOG_OUTPUT: 'console',
		EXECUTIONS_DATA_SAVE_ON_SUCCESS: 'all',
		EXECUTIONS_DATA_SAVE_ON_ERROR: 'all',
		EXECUTIONS_DATA_SAVE_MANUAL_EXECUTIONS: 'true',
		GENERIC_TIMEZONE: 'UTC',
		TZ: 'UTC',
		NODE_OPTIONS: `--require ${LOOPBACK_GUARD}`,
		// jest sets NODE_ENV=test, with which n8n exits at once (LoadNodesAndCredentials: 'Not available in tests')
		NODE_ENV: 'production',
		...n8nMajorEnv(version),
		...extra,
	};
}

// ---------------------------------------------------------------------------
// running n8n

/** Runs an n8n CLI command (e.g. ['import:workflow', '--input=x.json']) against a user folder. */
const liveHandles = new Set();
let exitHookInstalled = false;
function installExitHook() {
	if (exitHookInstalled) return;
	exitHookInstalled = true;
	// last resort: never leave an n8n behind when this process goes away
	process.on('exit', () => {
		for (const h of liveHandles) h._killNow();
	});
}

/**
 * Starts n8n (pinned version, under the Node ensureNodeForN8n picks) on 127.0.0.1:port with
 * its SQLite DB in <userFolder>/.n8n, and waits until it serves requests (_answersRequests).
 *
 * @param {object} o
 * @param {number} [o.port=5678]
 * @param {string} o.userFolder        N8N_USER_FOLDER (created if missing)
 * @param {string} [o.version]         n8n version (default N8N_VERSION or 2.41.1)
 * @param {number} [o.runnerPort]      task broker port (default port + 1... or a free one)
 * @param {object} [o.env]             extra environment for n8n
 * @param {string} [o.logFile]         also append n8n's output here (default <userFolder>/n8n.log)
 * @param {(line:string)=>void} [o.onLog]  called for each line n8n prints
 * @param {number} [o.readyTimeoutMs=120000]
 * @returns {Promise<N8nHandle>}
 */
export async function startN8n(o = {}) {
	const h = new N8nHandle(o);
	await h.start();
	return h;
}

export class N8nHandle {
	constructor({
		port = 5678,
		userFolder,
		version = DEFAULT_N8N_VERSION,
		runnerPort,
		env = {},
		logFile,
		onLog,
		readyTimeoutMs = 120_000,
		stopTimeoutMs = 20_000,
		log = defaultLog,
	} = {}) {
		if (!userFolder) throw new Error('startN8n: userFolder is required');
		this.port = port;
		this.userFolder = resolve(userFolder);
		this.version = version;
		this.runnerPort = runnerPort;
		this.extraEnv = env;
		this.logFile = logFile ?? join(this.userFolder, 'n8n.log');
		this.onLog = onLog;
		this.readyTimeoutMs = readyTimeoutMs;
		this.stopTimeoutMs = stopTimeoutMs;
		this.log = log;
		this.baseUrl = `http://${HOST}:${port}`;
		this.editorUrl = this.baseUrl;
		this.browserId = randomUUID();
		this.cookie = undefined;
		this.owner = undefined;
		this.lines = [];
		this.child = undefined;
		this.exited = undefined;
		this.startupMs = undefined;
	}

	/** The last n lines n8n printed (stdout and stderr). */
	logTail(n = 60) {
		return this.lines.slice(-n).join('\n');
	}

	/** Lines n8n printed that match a RegExp or contain a string. */
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
		try {
			appendFileSync(this.logFile, `${line}\n`);
		} catch {
			// the log file is a convenience; the lines stay in memory
		}
		if (this.onLog) this.onLog(line);
	}

	async start() {
		if (this.child && !this.exited) throw new Error('n8n is already running');
		const inst = await ensureN8n(this.version, { log: this.log });
		this.install = inst;
		mkdirSync(this.userFolder, { recursive: true });
		if (await isPortInUse(this.port)) {
			throw new Error(`Port ${this.port} on ${HOST} is already in use; choose another port`);
		}
		if (this.runnerPort === undefined) {
			this.runnerPort = (await isPortInUse(this.port + 1)) ? await findFreePort() : this.port + 1;
		}
		const env = {
			...nodeEnv(inst.node),
			...n8nEnv({
				port: this.port,
				userFolder: this.userFolder,
				runnerPort: this.runnerPort,
				version: this.version,
				extra: this.extraEnv,
			}),
		};
		// npm's own variables (when run from an npm script) are not n8n's business
		for (const k of Object.keys(env)) if (k.startsWith('npm_') && !(k in this.extraEnv)) delete env[k];
		this._record(`----- [n8n-harness] starting n8n@${this.version} on ${this.baseUrl} at ${new Date().toISOString()} -----`);
		const t0 = Date.now();
		const child = spawn(inst.node.nodeBin, [inst.n8nBin, 'start'], {
			cwd: this.userFolder,
			env,
			stdio: ['ignore', 'pipe', 'pipe'],
			detached: true, // own process group: stop() signals n8n and its task runner together
		});
		this.child = child;
		this.exited = undefined;
		liveHandles.add(this);
		installExitHook();
		let exitResolve;
		this.exitPromise = new Promise((r) => (exitResolve = r));
		for (const stream of [child.stdout, child.stderr]) {
			let buf = '';
			stream.setEncoding('utf8').on('data', (d) => {
				buf += d;
				let i;
				while ((i = buf.indexOf('\n')) >= 0) {
					this._record(buf.slice(0, i));
					buf = buf.slice(i + 1);
				}
			});
			stream.on('end', () => buf && this._record(buf));
		}
		child.on('exit', (code, signal) => {
			this.exited = { code, signal };
			liveHandles.delete(this);
			exitResolve(this.exited);
		});
		child.on('error', (err) => {
			this.exited = { code: null, signal: null, error: err };
			liveHandles.delete(this);
			exitResolve(this.exited);
		});

		const deadline = t0 + this.readyTimeoutMs;
		for (;;) {
			if (this.exited) {
				throw new Error(
					`n8n exited during startup (${JSON.stringify(this.exited)}). Last log lines:\n${this.logTail(60)}`,
				);
			}
			if (await this._answersRequests()) break;
			if (Date.now() > deadline) {
				const logText = this.logTail(60);
				await this.stop();
				throw new Error(`n8n did not become ready within ${fmtSecs(this.readyTimeoutMs)}. Last log lines:\n${logText}`);
			}
			await sleep(250);
		}
		this.startupMs = Date.now() - t0;
		return this;
	}

	/**
	 * True once n8n serves its REST API. n8n 2.x: /healthz/readiness answers 200. n8n 1.x
	 * answers readiness 200 as soon as its DB is migrated (abstract-server.js
	 * setupHealthCheck), before server.js has registered /rest/*, so there
	 * GET /rest/settings (public) must answer 200 as well.
	 */
	async _answersRequests() {
		const paths = ['/healthz/readiness', ...(n8nMajor(this.version) < 2 ? ['/rest/settings'] : [])];
		for (const path of paths) {
			try {
				const res = await fetch(`${this.baseUrl}${path}`, { signal: AbortSignal.timeout(2000) });
				await res.arrayBuffer();
				if (res.status !== 200) return false;
			} catch {
				return false; // not listening yet
			}
		}
		return true;
	}

	_killNow() {
		if (!this.child || this.exited) return;
		try {
			process.kill(-this.child.pid, 'SIGKILL');
		} catch {
			// already gone
		}
	}

	/** SIGTERM to n8n's process group, SIGKILL after stopTimeoutMs. Resolves when it exited. */
	async stop({ timeoutMs = this.stopTimeoutMs } = {}) {
		if (!this.child || this.exited) return this.exited;
		const pid = this.child.pid;
		try {
			process.kill(-pid, 'SIGTERM');
		} catch {
			try {
				this.child.kill('SIGTERM');
			} catch {
				// already gone
			}
		}
		const timer = sleep(timeoutMs).then(() => 'timeout');
		const r = await Promise.race([this.exitPromise, timer]);
		if (r === 'timeout') {
			this._record(`[n8n-harness] n8n did not stop within ${fmtSecs(timeoutMs)}; sending SIGKILL`);
			this._killNow();
			await this.exitPromise;
		}
		// the task runner is in the same group; make sure nothing of the group is left
		try {
			process.kill(-pid, 0);
			process.kill(-pid, 'SIGKILL');
		} catch {
			// the process group is gone
		}
		return this.exited;
	}

	/** Stops and starts n8n again with the same user folder (same DB, same login). */
	async restart() {
		await this.stop();
		await this.start();
		return this;
	}

	// ----- REST -----

	/** A REST call with the owner's cookie. Returns the `data` of n8n's answer. */
	async rest(method, path, body, { raw = false, expectStatus } = {}) {
		const headers = { 'browser-id': this.browserId, accept: 'application/json' };
		if (this.cookie) headers.cookie = this.cookie;
		if (body !== undefined) headers['content-type'] = 'application/json';
		const send = () =>
			fetch(`${this.baseUrl}/rest${path}`, {
				method,
				headers,
				body: body === undefined ? undefined : JSON.stringify(body),
				signal: AbortSignal.timeout(60_000),
			});
		let res;
		try {
			res = await send();
		} catch (e) {
			// A kept-alive connection n8n closed after its 5 s idle timeout while this process was
			// busy (e.g. `du` in npm start) fails with UND_ERR_SOCKET; a GET is safe to send again.
			if (method !== 'GET' || e.cause?.code !== 'UND_ERR_SOCKET') throw e;
			res = await send();
		}
		const setCookie = res.headers.getSetCookie?.() ?? [];
		for (const c of setCookie) {
			const m = /^(n8n-auth)=([^;]*)/.exec(c);
			if (m) this.cookie = `${m[1]}=${m[2]}`;
		}
		const text = await res.text();
		let json;
		try {
			json = JSON.parse(text);
		} catch {
			// not JSON: the caller gets the text
		}
		const ok = expectStatus === undefined ? res.ok : [].concat(expectStatus).includes(res.status);
		if (!ok) {
			const err = new Error(`n8n REST ${method} ${path} → HTTP ${res.status}: ${text.slice(0, 1000)}`);
			err.status = res.status;
			err.body = json ?? text;
			throw err;
		}
		if (raw) return { status: res.status, json, text };
		return json && typeof json === 'object' && 'data' in json ? json.data : json;
	}

	/**
	 * Creates the instance owner (POST /rest/owner/setup) or, when one exists already,
	 * logs in with the given login. Returns { email, password, firstName, lastName }.
	 */
	async setupOwner({
		email = 'owner@example.com',
		password = 'Begini-Demo-2026',
		firstName = 'Demo',
		lastName = 'Owner',
	} = {}) {
		const settings = await this.rest('GET', '/settings');
		const needsSetup = settings?.userManagement?.showSetupOnFirstLoad;
		if (needsSetup !== false) {
			try {
				await this.rest('POST', '/owner/setup', { email, password, firstName, lastName });
				this.owner = { email, password, firstName, lastName };
				return this.owner;
			} catch (e) {
				if (e.status !== 400) throw e; // 400: already set up → log in below
			}
		}
		await this.login({ email, password });
		this.owner = { email, password, firstName, lastName };
		return this.owner;
	}

	async login({ email, password } = this.owner ?? {}) {
		await this.rest('POST', '/login', { emailOrLdapLoginId: email, password });
		return this.cookie;
	}

	/** Creates a credential; returns { id, name, type }. */
	async createCredential({ name, type, data }) {
		const c = await this.rest('POST', '/credentials', { name, type, data });
		return { id: c.id, name: c.name, type: c.type };
	}

	/** Node type names n8n has loaded (from /types/nodes.json; needs the owner's login). */
	async loadedNodeTypes() {
		const res = await fetch(`${this.baseUrl}/types/nodes.json`, {
			headers: { cookie: this.cookie ?? '', 'browser-id': this.browserId },
		});
		if (!res.ok) throw new Error(`GET /types/nodes.json → HTTP ${res.status}`);
		return [...new Set((await res.json()).map((t) => t.name))];
	}

	async listCredentials() {
		return await this.rest('GET', '/credentials');
	}

	/** Finds a credential by name and type, or creates it. Returns { id, name, type, created }. */
	async ensureCredential({ name, type, data }) {
		const existing = (await this.listCredentials()).find((c) => c.name === name && c.type === type);
		if (existing) {
			await this.rest('PATCH', `/credentials/${existing.id}`, { name, type, data });
			return { id: existing.id, name, type, created: false };
		}
		return { ...(await this.createCredential({ name, type, data })), created: true };
	}

	async getWorkflow(id) {
		try {
			return await this.rest('GET', `/workflows/${encodeURIComponent(id)}`);
		} catch (e) {
			if (e.status === 404) return undefined;
			throw e;
		}
	}

	async deleteWorkflow(id) {
		const wf = await this.getWorkflow(id);
		if (!wf) return false;
		if (wf.active || wf.activeVersionId) await this.deactivateWorkflow(id).catch(() => {});
		if (!wf.isArchived) await this.rest('POST', `/workflows/${encodeURIComponent(id)}/archive`, {});
		await this.rest('DELETE', `/workflows/${encodeURIComponent(id)}`);
		return true;
	}

	/** Publishes (activates) the current version of a workflow. */
	async activateWorkflow(id) {
		const wf = await this.rest('GET', `/workflows/${encodeURIComponent(id)}`);
		return await this.rest('POST', `/workflows/${encodeURIComponent(id)}/activate`, {
			versionId: wf.versionId,
		});
	}

	async deactivateWorkflow(id) {
		return await this.rest('POST', `/workflows/${encodeURIComponent(id)}/deactivate`, {});
	}

	/**
	 * The saved workflow an earlier import of `wfJson` created, or undefined. n8n 2.x keeps
	 * the id a workflow is created with; n8n 1.x drops it (workflows.controller.js create:
	 * `delete req.body.id`) and assigns a new one, so there an earlier import is found by
	 * its exact name among the workflows that are not archived.
	 */
	async findImportedWorkflow(wfJson) {
		if (wfJson.id) {
			const byId = await this.getWorkflow(wfJson.id);
			if (byId) return byId;
		}
		if (n8nMajor(this.version) >= 2 || !wfJson.name) return undefined;
		const filter = encodeURIComponent(JSON.stringify({ name: wfJson.name }));
		const list = await this.rest('GET', `/workflows?filter=${filter}`);
		const match = (Array.isArray(list) ? list : []).find((w) => w.name === wfJson.name && !w.isArchived);
		return match ? await this.getWorkflow(match.id) : undefined;
	}

	/**
	 * Imports a workflow JSON (path or object) through the REST API and activates it.
	 * `credentials` maps a credential type to { id, name } and is written into every
	 * node that uses that type. An existing workflow with the same id (on n8n 1.x, which
	 * assigns its own ids: the same name) is replaced unless replace: false (then it is
	 * only activated). Use the returned id, not the one in the JSON.
	 * Returns { id, name, versionId, active, webhooks: [{ node, type, webhookId,
	 * productionUrl, testUrl }], productionWebhookUrl, testWebhookUrl }.
	 */
	async importAndActivateWorkflow(
		jsonPathOrObject,
		{ credentials = {}, replace = true, activate = true, webhookNodeTypes } = {},
	) {
		const wfJson =
			typeof jsonPathOrObject === 'string'
				? JSON.parse(readFileSync(jsonPathOrObject, 'utf8'))
				: structuredClone(jsonPathOrObject);
		for (const node of wfJson.nodes ?? []) {
			for (const credType of Object.keys(node.credentials ?? {})) {
				if (credentials[credType]) {
					node.credentials[credType] = { id: credentials[credType].id, name: credentials[credType].name };
				}
			}
		}
		let existing = await this.findImportedWorkflow(wfJson);
		if (existing && replace) {
			await this.deleteWorkflow(existing.id);
			existing = undefined;
		}
		let wf = existing;
		if (!wf) {
			const body = {
				name: wfJson.name,
				nodes: wfJson.nodes,
				connections: wfJson.connections ?? {},
				settings: wfJson.settings ?? { executionOrder: 'v1' },
			};
			if (wfJson.id) body.id = wfJson.id;
			if (wfJson.pinData) body.pinData = wfJson.pinData;
			if (wfJson.meta) body.meta = wfJson.meta;
			// n8n 1.x saves the body as the entity; its workflow_entity.active is NOT NULL and
			// has no default there, so the field the 1.x editor sends is needed
			if (n8nMajor(this.version) < 2) body.active = false;
			wf = await this.rest('POST', '/workflows', body);
		}
		if (activate && !(wf.active || wf.activeVersionId === wf.versionId)) {
			wf = await this.activateWorkflow(wf.id);
		}
		const webhooks = this.webhookUrls(existing ?? wfJson, { nodeTypes: webhookNodeTypes });
		return {
			id: wf.id,
			name: wf.name,
			versionId: wf.versionId,
			active: Boolean(wf.active || wf.activeVersionId),
			webhooks,
			productionWebhookUrl: webhooks[0]?.productionUrl,
			testWebhookUrl: webhooks[0]?.testUrl,
		};
	}

	/**
	 * Webhook URLs of a workflow's webhook nodes. For a node with a webhookId and a
	 * node-defined path (our Begini Trigger: path 'webhook'), n8n registers
	 * `<webhookId>/<path>`; the built-in Webhook node uses its `path` parameter.
	 */
	webhookUrls(wfJson, { nodeTypes } = {}) {
		const types = nodeTypes ?? [BEGINI_TRIGGER_TYPE, 'n8n-nodes-base.webhook'];
		return (wfJson.nodes ?? [])
			.filter((n) => types.includes(n.type))
			.map((n) => {
				const path =
					n.type === 'n8n-nodes-base.webhook' && n.parameters?.path
						? n.parameters.path
						: `${n.webhookId}/${BEGINI_WEBHOOK_PATH}`;
				return {
					node: n.name,
					type: n.type,
					webhookId: n.webhookId,
					productionUrl: `${this.baseUrl}/webhook/${path}`,
					testUrl: `${this.baseUrl}/webhook-test/${path}`,
				};
			});
	}

	/**
	 * Polls until n8n has a webhook registered at `url`. The probe is a CORS preflight
	 * (OPTIONS with Origin and Access-Control-Request-Method): n8n answers 204 once a
	 * webhook is registered for that path and method, an error (404/500) before; it runs
	 * no workflow.
	 */
	async waitForWebhook(url, { method = 'POST', timeoutMs = 30_000, intervalMs = 250 } = {}) {
		const deadline = Date.now() + timeoutMs;
		let last;
		for (;;) {
			try {
				const res = await fetch(url, {
					method: 'OPTIONS',
					headers: { origin: this.baseUrl, 'access-control-request-method': method },
					signal: AbortSignal.timeout(5000),
				});
				last = `${res.status} ${(await res.text()).slice(0, 200)}`;
				if (res.status === 204 || res.status === 200) return res.status;
			} catch (e) {
				last = e.message;
			}
			if (Date.now() > deadline) {
				throw new Error(
					`Webhook ${url} not registered after ${fmtSecs(timeoutMs)} (last answer: ${last}). Last log lines:\n${this.logTail(40)}`,
				);
			}
			await sleep(intervalMs);
		}
	}

	/**
	 * Arms the editor's "Listen for test event" headlessly: POST /rest/workflows/<id>/run
	 * with { triggerToStartFrom: { name } } registers the node's test webhook
	 * (/webhook-test/...) for 2 minutes; the next delivery there runs the workflow in
	 * 'manual' mode from the saved (draft) version. Returns { waitingForWebhook, testUrl }.
	 */
	async armTestWebhook(workflowId, triggerNodeName) {
		const wf = await this.rest('GET', `/workflows/${encodeURIComponent(workflowId)}`);
		const r = await this.rest(
			'POST',
			`/workflows/${encodeURIComponent(workflowId)}/run`,
			this._manualRunBody(wf, { name: triggerNodeName }),
		);
		const hook = this.webhookUrls(wf, { nodeTypes: wf.nodes.map((n) => n.type) }).find(
			(w) => w.node === triggerNodeName,
		);
		return { ...r, testUrl: hook?.testUrl };
	}

	/**
	 * The body of POST /rest/workflows/:id/run for a full run from a known trigger.
	 * n8n 2.x loads the saved workflow itself (ManualRunDto: { triggerToStartFrom }).
	 * n8n 1.x runs the workflow the editor sends (workflows.controller.js runManually:
	 * body.workflowData, whose id must match the URL), so the saved one is sent, shaped
	 * like the 1.x editor's getWorkflowDataToSave() (no staticData, no sharing info).
	 */
	_manualRunBody(wf, triggerToStartFrom) {
		if (n8nMajor(this.version) >= 2) return { triggerToStartFrom };
		const { id, name, nodes, connections, settings, pinData, active, versionId, meta } = wf;
		return {
			workflowData: { id, name, nodes, connections, settings, pinData: pinData ?? {}, active, versionId, meta },
			triggerToStartFrom,
		};
	}

	/** Executions of a workflow, newest first: [{ id, status, mode, startedAt, stoppedAt, workflowId }]. */
	async listExecutions(workflowId, { limit = 100 } = {}) {
		const filter = JSON.stringify(workflowId ? { workflowId } : {});
		const r = await this.rest('GET', `/executions?filter=${encodeURIComponent(filter)}&limit=${limit}`);
		return (r.results ?? r ?? []).map((e) => ({
			id: String(e.id),
			status: e.status,
			mode: e.mode,
			startedAt: e.startedAt,
			stoppedAt: e.stoppedAt,
			workflowId: e.workflowId,
		}));
	}

	/**
	 * Polls until a workflow has at least `count` finished executions (status other
	 * than new/running/waiting). Returns them, newest first.
	 */
	async waitForExecutions(workflowId, { count = 1, timeoutMs = 30_000, intervalMs = 300 } = {}) {
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			const list = await this.listExecutions(workflowId);
			const done = list.filter((e) => !['new', 'running', 'waiting'].includes(e.status));
			if (done.length >= count) return done;
			if (Date.now() > deadline) {
				throw new Error(
					`Expected ${count} finished execution(s) of workflow ${workflowId}, found ${done.length} (all: ${JSON.stringify(list)}). Last log lines:\n${this.logTail(40)}`,
				);
			}
			await sleep(intervalMs);
		}
	}

	/**
	 * One execution with its run data decoded and summarized:
	 * { id, status, mode, workflowId, startedAt, stoppedAt, error, lastNodeExecuted,
	 *   nodesRun: [names in run order], runData (raw), nodes: { [name]: { type, runs,
	 *   status, error, outputs: [[json...] per output] } }, branches: { [node]: { [outputName]: itemCount } },
	 *   triggerNode, triggerItems: [json...] }.
	 */
	async getExecution(id) {
		const e = await this.rest('GET', `/executions/${encodeURIComponent(id)}`);
		const data = typeof e.data === 'string' ? flattedParse(e.data) : e.data;
		const workflowData = e.workflowData ?? {};
		const runData = data?.resultData?.runData ?? {};
		const byName = Object.fromEntries((workflowData.nodes ?? []).map((n) => [n.name, n]));
		const nodes = {};
		for (const [name, runs] of Object.entries(runData)) {
			const first = runs[0] ?? {};
			const main = first.data?.main ?? [];
			nodes[name] = {
				type: byName[name]?.type,
				runs: runs.length,
				status: first.executionStatus,
				error: first.error,
				startTime: first.startTime,
				outputs: main.map((out) => (out ?? []).map((item) => item.json)),
				binary: main.map((out) => (out ?? []).map((item) => item.binary).filter(Boolean)),
			};
		}
		const nodesRun = Object.entries(runData)
			.map(([name, runs]) => [name, runs[0]?.startTime ?? 0, runs[0]?.executionIndex ?? 0])
			.sort((a, b) => a[2] - b[2] || a[1] - b[1])
			.map(([name]) => name);
		const branches = {};
		for (const [name, info] of Object.entries(nodes)) {
			if (info.outputs.length < 2) continue;
			const names = outputNames(byName[name]);
			branches[name] = {};
			info.outputs.forEach((items, i) => {
				if (items.length) branches[name][names[i] ?? `output ${i}`] = items.length;
			});
		}
		const triggerNode =
			nodesRun.find((n) => byName[n]?.type === BEGINI_TRIGGER_TYPE) ??
			nodesRun.find((n) => /trigger|webhook/i.test(byName[n]?.type ?? '')) ??
			nodesRun[0];
		return {
			id: String(e.id),
			status: e.status,
			mode: e.mode,
			finished: e.finished,
			workflowId: e.workflowId,
			startedAt: e.startedAt,
			stoppedAt: e.stoppedAt,
			error: data?.resultData?.error,
			lastNodeExecuted: data?.resultData?.lastNodeExecuted,
			nodesRun,
			nodes,
			branches,
			triggerNode,
			triggerItems: triggerNode ? (nodes[triggerNode]?.outputs[0] ?? []) : [],
			runData,
			workflowData,
		};
	}
}

/** Output names of a node: Switch v3 rules with renamed outputs, plus its fallback. */
function outputNames(node) {
	if (!node) return [];
	if (node.type === 'n8n-nodes-base.switch') {
		const rules = node.parameters?.rules?.values ?? [];
		const names = rules.map((r, i) => (r.renameOutput && r.outputKey ? r.outputKey : String(i)));
		const fb = node.parameters?.options?.fallbackOutput;
		if (fb === 'extra') names.push(node.parameters?.options?.renameFallbackOutput || 'Fallback');
		return names;
	}
	return [];
}

/** A new empty user folder under .cache/tmp (or the given parent). */
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
