import { spawnSync } from 'child_process';
import { join } from 'path';

/** `npm run lint:workflows` (scripts/lint-workflows.mjs) fails on a broken workflow and passes the real ones. */

const root = join(__dirname, '..', '..');

function lintWorkflows(...files: string[]) {
	const run = spawnSync(process.execPath, ['scripts/lint-workflows.mjs', ...files], { cwd: root, encoding: 'utf8' });
	return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

describe('lint-workflows', () => {
	it('reports each mistake in a broken workflow, with its line, and exits 1', () => {
		const { status, output } = lintWorkflows('test/fixtures/workflows/broken.yml');
		expect(status).toBe(1);
		expect(output).toContain('broken.yml:5:5: unexpected key "branchs" for "push" section');
		expect(output).toContain('job "build" needs job "nothing" which does not exist');
		expect(output).toMatch(/broken\.yml:11:\d+: got unexpected character/);
		expect(output).toContain('3 finding(s)');
	});

	it("passes this repository's workflows", () => {
		const { status, output } = lintWorkflows();
		expect(output).toContain('ci.yml');
		expect(output).toContain('0 finding(s)');
		expect(status).toBe(0);
	});
});
