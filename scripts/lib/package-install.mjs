// This package as n8n sees it: `npm pack`ed into .cache/pack, and installed into an n8n user
// folder the way n8n installs a community package.

import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { ensureNodeForN8n, nodeEnv } from './node-runtime.mjs';
import { CACHE_DIR, DEFAULT_N8N_VERSION, ROOT } from './paths.mjs';
import { defaultLog, fmtSecs, npmCommand, run, tail } from './processes.mjs';

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
 * Packs revision `rev` of this repository (git archive, built with this checkout's node_modules) and returns
 * the tarball, renamed after the revision so that it sits beside the current one. The bench uses it to
 * compare the current node with an earlier design in the same run.
 */
export async function packRevision(rev, { log = defaultLog } = {}) {
	const suffix = rev.replace(/\W+/g, '-');
	const stage = join(CACHE_DIR, `stage-${suffix}`);
	rmSync(stage, { recursive: true, force: true });
	mkdirSync(stage, { recursive: true });
	const archive = await run('bash', ['-c', `git archive ${JSON.stringify(rev)} | tar -x -C ${JSON.stringify(stage)}`], { cwd: ROOT });
	if (archive.code !== 0) throw new Error(`git archive ${rev} failed: ${archive.stderr}`);
	symlinkSync(join(ROOT, 'node_modules'), join(stage, 'node_modules'));
	const tarball = await packPackage({ cwd: stage, build: true, log });
	const renamed = tarball.replace(/\.tgz$/, `-${suffix}.tgz`);
	copyFileSync(tarball, renamed);
	return renamed;
}

/**
 * Installs a package tarball into <userFolder>/.n8n/nodes the way n8n's (2.x and 1.123.x)
 * CommunityPackagesService.downloadPackage does (dist/modules/community-packages/
 * community-packages.service.js): extract into nodes/node_modules/<name>, drop
 * dev/peer/optional dependencies from its package.json, `npm install` its runtime
 * dependencies inside it (shallow, no scripts), and record it in nodes/package.json.
 * n8n loads every package in nodes/node_modules at startup (community-packages.module.js
 * nodeLoaders → scanDirectoryForPackages), giving node types `<package>.<node>`; the main,
 * worker and webhook processes all do (their commands set needsCommunityPackages).
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
