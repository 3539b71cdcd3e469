// n8n itself: `npm install n8n@<version>` into .cache/n8n/<version> once, with its native modules
// (sqlite3, isolated-vm) built for the Node it runs on.

import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { n8nInstallOverrides, n8nMajor } from './n8n-versions.mjs';
import { ensureNodeForN8n, nodeEnv } from './node-runtime.mjs';
import { DEFAULT_N8N_VERSION, n8nPaths } from './paths.mjs';
import { defaultLog, fmtSecs, npmCommand, run, tail, withLock } from './processes.mjs';

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

/** `npm rebuild <module> ...extraArgs` with its install scripts on, logged to install.log. */
async function rebuildNative(module, extraArgs, { node, dir, log, what }) {
	const installLog = join(dir, 'install.log');
	const t0 = Date.now();
	log(`building ${module} for Node ${node.version} (${what})…`);
	const r = await run(npmCommand(), ['rebuild', module, ...extraArgs, '--ignore-scripts=false', '--foreground-scripts'], {
		cwd: dir,
		env: nodeEnv(node),
		onLine: (l) => appendFileSync(installLog, `${l}\n`),
	});
	if (r.code !== 0) throw new Error(`${module} build failed; see ${installLog}:\n${tail(r.stderr, 30)}`);
	log(`${module} built in ${fmtSecs(Date.now() - t0)}`);
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
				const build = { node, dir: p.dir, log };
				let problem = checkNativeModules(node, p.dir);
				if (problem.includes('sqlite3') || problem.includes('node_sqlite3')) {
					await rebuildNative('sqlite3', ['--build-from-source'], { ...build, what: 'from source, about a minute' });
					problem = checkNativeModules(node, p.dir);
				}
				if (problem.includes('isolated-vm')) {
					await rebuildNative('isolated-vm', [], { ...build, what: 'no prebuild loaded; several minutes' });
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
