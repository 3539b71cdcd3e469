import { execFileSync } from 'child_process';
import { existsSync, readFileSync } from 'fs';
import { basename, dirname, join } from 'path';

/** The package as n8n's loader and npm see it. Needs a build (`npm test` builds first). */

const root = join(__dirname, '..', '..');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const n8nFiles: string[] = [...manifest.n8n.nodes, ...manifest.n8n.credentials];

describe('package.json', () => {
	it('meets n8n community package rules', () => {
		expect(manifest).toMatchObject({
			name: 'n8n-nodes-begini',
			license: 'MIT',
			files: ['dist'],
			peerDependencies: { 'n8n-workflow': '*' },
			n8n: { n8nNodesApiVersion: 1, strict: true },
		});
		expect(manifest.keywords).toContain('n8n-community-node-package');
		expect(manifest.dependencies ?? {}).toEqual({});
		expect(Object.keys(manifest.peerDependencies)).toEqual(['n8n-workflow']);
		for (const lifecycle of ['preinstall', 'install', 'postinstall', 'prepare', 'prepublish']) {
			expect(manifest.scripts ?? {}).not.toHaveProperty(lifecycle);
		}
		for (const file of n8nFiles) expect(file).toMatch(/^dist\//);
	});
});

describe('npm pack', () => {
	const [packed] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json'], { cwd: root, encoding: 'utf8' }));
	const paths: string[] = packed.files.map((file: { path: string }) => file.path);

	it('ships only dist/, the README, the LICENSE and package.json', () => {
		expect(paths.filter((path) => !path.startsWith('dist/')).sort()).toEqual(['LICENSE', 'README.md', 'package.json']);
	});

	it('ships every file the n8n section lists, with its icons and codex, and no tests', () => {
		for (const file of n8nFiles) expect(paths).toContain(file);
		expect(paths).toEqual(
			expect.arrayContaining([
				'dist/nodes/BeginiTrigger/BeginiTrigger.node.json',
				'dist/nodes/BeginiTrigger/begini.svg',
				'dist/nodes/BeginiTrigger/begini.dark.svg',
				'dist/nodes/Begini/Begini.node.json',
				'dist/nodes/Begini/begini.svg',
				'dist/nodes/Begini/begini.dark.svg',
			]),
		);
		expect(paths.filter((path) => /test|spec|fixtures/i.test(path))).toEqual([]);
	});
});

describe('dist in plain Node.js', () => {
	// A separate Node process, as n8n's loader would: require each listed file and describe what it exports.
	const loaded = JSON.parse(
		execFileSync(
			process.execPath,
			[
				'-e',
				`const path = require('path');
				const out = {};
				for (const file of ${JSON.stringify(n8nFiles)}) {
					const exported = require(path.resolve(file));
					const className = path.basename(file).split('.')[0];
					const instance = new exported[className]();
					out[file] = instance.description
						? { kind: 'node', name: instance.description.name, version: instance.description.version, defaultVersion: instance.description.defaultVersion, icon: instance.description.icon, credentials: instance.description.credentials, hasWebhook: typeof instance.webhook, hasExecute: typeof instance.execute, webhooks: instance.description.webhooks, usableAsTool: instance.description.usableAsTool, credentialTests: Object.keys(instance.methods?.credentialTest ?? {}) }
						: { kind: 'credential', name: instance.name, icon: instance.icon, properties: instance.properties.map((p) => p.name), authenticate: typeof instance.authenticate, test: typeof instance.test };
				}
				console.log(JSON.stringify(out));`,
			],
			{ cwd: root, encoding: 'utf8' },
		),
	);

	it('loads the node, named as n8n expects, with webhook() and the webhook n8n answers once the execution is stored', () => {
		expect(loaded['dist/nodes/BeginiTrigger/BeginiTrigger.node.js']).toMatchObject({
			kind: 'node',
			name: 'beginiTrigger',
			// workflows saved with version 1 keep working; new nodes get 2 (see the node's description)
			version: [1, 2],
			defaultVersion: 2,
			credentials: [{ name: 'beginiApi', required: true, testedBy: 'beginiApiKeyCheck' }],
			hasWebhook: 'function',
			webhooks: [{ name: 'default', httpMethod: 'POST', path: 'webhook', responseMode: 'onReceived', responseData: '' }],
		});
	});

	it('loads the Begini node: an action node with execute(), usable as an AI tool, tested by the same credential test', () => {
		expect(loaded['dist/nodes/Begini/Begini.node.js']).toMatchObject({
			kind: 'node',
			name: 'begini',
			credentials: [{ name: 'beginiApi', required: true, testedBy: 'beginiApiKeyCheck' }],
			hasWebhook: 'undefined',
			hasExecute: 'function',
			usableAsTool: true,
			credentialTests: ['beginiApiKeyCheck'],
		});
		expect(loaded['dist/nodes/BeginiTrigger/BeginiTrigger.node.js'].credentialTests).toEqual(['beginiApiKeyCheck']);
	});

	it('loads the credential with its fields, an authenticate function and no remote test', () => {
		expect(loaded['dist/credentials/BeginiApi.credentials.js']).toMatchObject({
			kind: 'credential',
			name: 'beginiApi',
			properties: ['apiKey', 'previousApiKey', 'environment', 'integrationId', 'baseUrl', 'sessionAuthentication'],
			authenticate: 'function',
			test: 'undefined',
		});
	});

	it('finds every icon where n8n resolves it: relative to the compiled file', () => {
		for (const [file, description] of Object.entries<{ icon: { light: string; dark: string } }>(loaded)) {
			for (const icon of [description.icon.light, description.icon.dark]) {
				expect(existsSync(join(root, dirname(file), icon.replace(/^file:/, '')))).toBe(true);
			}
		}
	});

	it('requires nothing but n8n-workflow, crypto and its own files', () => {
		const compiled = packedJavaScript();
		expect(compiled.length).toBeGreaterThan(5);
		for (const file of compiled) {
			const source = readFileSync(join(root, file), 'utf8');
			const required = [...source.matchAll(/require\("([^"]+)"\)/g)].map((match) => match[1]);
			for (const name of required) expect([basename(file), name]).toEqual([basename(file), expect.stringMatching(/^(n8n-workflow|crypto|node:crypto|\.\.?\/.*)$/)]);
		}
	});
});

function packedJavaScript(): string[] {
	const [packed] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json'], { cwd: root, encoding: 'utf8' }));
	return packed.files.map((file: { path: string }) => file.path).filter((path: string) => path.endsWith('.js'));
}
