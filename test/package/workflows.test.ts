import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';
import { parse } from 'yaml';

/**
 * The rule for GitHub workflows: a job that can obtain GitHub's OIDC token (`id-token: write`, which publishes
 * to npm and signs provenance) runs no installed code. It uses only actions/setup-node and
 * actions/download-artifact, installs nothing, runs no package scripts, and publishes only a packed tarball
 * with `--ignore-scripts`. Building, testing and packing happen in jobs without that permission.
 */

interface Step {
	name?: string;
	uses?: string;
	run?: string;
	with?: Record<string, unknown>;
}

interface Job {
	permissions?: string | Record<string, string>;
	needs?: string | string[];
	uses?: string;
	steps?: Step[];
}

interface Workflow {
	permissions?: string | Record<string, string>;
	jobs: Record<string, Job>;
}

const root = join(__dirname, '..', '..');
const workflowsDir = join(root, '.github', 'workflows');

const ACTIONS_ALLOWED_WITH_ID_TOKEN = ['actions/setup-node', 'actions/download-artifact'];
/** Commands that install packages or run code from them: package managers' installs and scripts, npx. */
const INSTALLS_OR_RUNS_PACKAGES = /\b(npm|pnpm|yarn|bun)\s+(ci|install|i|add|update|rebuild|run|run-script|test|exec|x|pack)\b|\b(npx|pnpx|bunx)\b/;

function grantsIdToken(permissions: Job['permissions']): boolean {
	if (permissions === 'write-all') return true;
	return typeof permissions === 'object' && permissions !== null && permissions['id-token'] === 'write';
}

function load(file: string): Workflow {
	return parse(readFileSync(file, 'utf8')) as Workflow;
}

/** The jobs that hold id-token: write, their own or the workflow's. */
function jobsWithIdToken(workflow: Workflow): string[] {
	return Object.entries(workflow.jobs)
		.filter(([, job]) => grantsIdToken(job.permissions ?? workflow.permissions))
		.map(([name]) => name);
}

/** Every way a job with id-token: write breaks the rule, as "job: problem". */
function idTokenProblems(workflow: Workflow): string[] {
	const problems: string[] = [];
	for (const name of jobsWithIdToken(workflow)) {
		const job = workflow.jobs[name];
		if (job.uses !== undefined) problems.push(`${name}: calls ${job.uses}, whose jobs would hold the token`);
		for (const step of job.steps ?? []) {
			const action = step.uses?.split('@')[0];
			if (action !== undefined && !ACTIONS_ALLOWED_WITH_ID_TOKEN.includes(action)) {
				problems.push(`${name}: uses ${step.uses}`);
			}
			const run = step.run ?? '';
			const install = INSTALLS_OR_RUNS_PACKAGES.exec(run);
			if (install) problems.push(`${name}: runs "${install[0]}"`);
			for (const publish of run.match(/\bnpm\s+publish\b[^\n]*/g) ?? []) {
				// a packed tarball (the first argument), never the working directory, whose scripts npm would run
				if (!/\bnpm\s+publish\s+[^-\s]/.test(publish)) problems.push(`${name}: publishes a directory, not a tarball`);
				if (!publish.includes('--ignore-scripts')) problems.push(`${name}: publishes without --ignore-scripts`);
			}
		}
	}
	return problems;
}

describe("this repository's workflows", () => {
	const files = readdirSync(workflowsDir).filter((name) => /\.ya?ml$/.test(name));

	it.each(files)('%s: no job that holds id-token: write installs or runs a package', (file) => {
		expect(idTokenProblems(load(join(workflowsDir, file)))).toEqual([]);
	});

	describe('publish.yml', () => {
		const workflow = load(join(workflowsDir, 'publish.yml'));
		const { pack, publish } = workflow.jobs;

		it('grants id-token: write to the publish job only, not to the workflow', () => {
			expect(grantsIdToken(workflow.permissions)).toBe(false);
			expect(jobsWithIdToken(workflow)).toEqual(['publish']);
		});

		it('builds, tests and packs in the pack job, after every check of ci.yml', () => {
			expect(pack.needs).toBe('checks');
			expect(workflow.jobs.checks.uses).toBe('./.github/workflows/ci.yml');
			const runs = (pack.steps ?? []).map((step) => step.run ?? '').join('\n');
			expect(runs).toMatch(/npm ci\b/);
			expect(runs).toMatch(/npm run build\b/);
			expect(runs).toMatch(/npm run test:unit\b/);
			expect(runs).toMatch(/npm pack\b/);
		});

		it('publishes the artifact the pack job uploaded, checked against its SHA-512, with provenance', () => {
			expect(publish.needs).toBe('pack');
			const uploaded = pack.steps?.find((step) => step.uses?.startsWith('actions/upload-artifact@'))?.with?.name;
			const downloaded = publish.steps?.find((step) => step.uses?.startsWith('actions/download-artifact@'))?.with?.name;
			expect(uploaded).toBeDefined();
			expect(downloaded).toBe(uploaded);
			const runs = (publish.steps ?? []).map((step) => step.run ?? '').join('\n');
			expect(runs).toContain('sha512sum --check');
			expect(runs).toMatch(/npm publish "\.\/\$TARBALL" --provenance --access public --ignore-scripts/);
		});
	});
});

describe('the rule catches', () => {
	const fixture = (name: string) => load(join(root, 'test', 'fixtures', 'workflows', name));

	it('the publish job before issue 17: checkout, npm install, npm ci, npm run build, a directory published', () => {
		expect(idTokenProblems(fixture('publish-installs-with-id-token.yml'))).toEqual([
			'publish: uses actions/checkout@v6',
			'publish: runs "npm install"',
			'publish: runs "npm ci"',
			'publish: runs "npm run"',
			'publish: publishes a directory, not a tarball',
			'publish: publishes without --ignore-scripts',
		]);
	});

	it('id-token: write granted by the workflow, to jobs that install, call actions or workflows, or run npx', () => {
		expect(idTokenProblems(fixture('id-token-everywhere.yml'))).toEqual([
			'yarn: runs "yarn install"',
			'harness: uses ./.github/actions/n8n-harness',
			'reusable: calls ./.github/workflows/ci.yml, whose jobs would hold the token',
			'npx: runs "npx"',
			'directory: publishes a directory, not a tarball',
			'directory: publishes without --ignore-scripts',
		]);
	});
});
