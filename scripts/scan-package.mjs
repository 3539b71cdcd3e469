// Runs n8n's own verification scanner (@n8n/scan-community-package) the way it scans a published package,
// minus the registry and provenance steps that need a release: first the source files it reads from the
// attested commit, then the compiled JavaScript and package.json of the tarball `npm pack` makes. Exits non-zero on any ESLint error.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { analyzePackage, SOURCE_FILE_PATTERNS } from '@n8n/scan-community-package/scanner/scanner.mjs';

const root = process.cwd();
const work = mkdtempSync(join(tmpdir(), 'begini-scan-'));
let failed = false;

function report(label, result) {
	console.log(`${result.passed ? 'passed' : 'FAILED'}: ${label}${result.message ? ` (${result.message})` : ''}`);
	if (!result.passed) {
		failed = true;
		if (result.details) console.log(result.details);
	}
}

try {
	report('source (package.json, nodes/, credentials/)', await analyzePackage(root, SOURCE_FILE_PATTERNS));

	const [packed] = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', work], { cwd: root }));
	execFileSync('tar', ['-xzf', join(work, packed.filename), '-C', work]);
	report(`tarball ${packed.filename} (${packed.entryCount} files)`, await analyzePackage(join(work, 'package'), ['**/*.js', 'package.json']));
} finally {
	rmSync(work, { recursive: true, force: true });
}

process.exit(failed ? 1 : 0);
