import { existsSync, readFileSync } from 'fs';
import { join } from 'path';

import { BeginiTrigger } from '../../nodes/BeginiTrigger/BeginiTrigger.node';
import {
	BEGINI_TEST_API_URL,
	README_URL,
	REPOSITORY_URL,
	SAMPLE_ITEMS_URL,
	TRY_LOCALLY_URL,
} from '../../nodes/BeginiTrigger/links';

/** The links the editor shows lead where package.json, the README and the repository say they should. */

const root = join(__dirname, '..', '..');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const codex = JSON.parse(readFileSync(join(root, 'nodes', 'BeginiTrigger', 'BeginiTrigger.node.json'), 'utf8'));

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
function readmeAnchors(): string[] {
	return [...readme.matchAll(/^#{1,6} (.+)$/gm)].map(([, heading]) =>
		heading
			.toLowerCase()
			.replace(/[^\p{L}\p{N} _-]/gu, '')
			.replace(/ /g, '-'),
	);
}

describe('links in the editor', () => {
	it('use the repository and homepage that package.json declares', () => {
		expect(manifest.repository.url.replace(/^git\+/, '').replace(/\.git$/, '')).toBe(REPOSITORY_URL);
		expect(manifest.homepage).toBe(README_URL);
		for (const { url } of [...codex.resources.primaryDocumentation, ...codex.resources.credentialDocumentation]) {
			expect(url.startsWith(`${REPOSITORY_URL}#`)).toBe(true);
		}
	});

	it('point at README sections and repository folders that exist', () => {
		expect(readmeAnchors()).toEqual(expect.arrayContaining([TRY_LOCALLY_URL.split('#')[1], 'sample-items']));
		const folder = SAMPLE_ITEMS_URL.replace(`${REPOSITORY_URL}/tree/main/`, '');
		expect(folder).not.toBe(SAMPLE_ITEMS_URL);
		expect(existsSync(join(root, folder))).toBe(true);
	});

	it('the trigger panel gives the test request, links only to new tabs or n8n views, and holds no key', () => {
		const panel = new BeginiTrigger().description.triggerPanel;
		if (typeof panel !== 'object' || typeof panel.executionsHelp !== 'object') {
			throw new Error('the trigger has no trigger panel help');
		}
		for (const help of [panel.executionsHelp.active, panel.executionsHelp.inactive]) {
			expect(help).toContain(`curl -X POST ${BEGINI_TEST_API_URL} -H 'api-key: YOUR_TEST_API_KEY'`);
			expect(help).toContain(`href="${SAMPLE_ITEMS_URL}"`);
			for (const [anchor] of help.matchAll(/<a [^>]*>/g)) {
				expect(anchor).toMatch(/target="_blank"|data-key="executions"/);
			}
		}
	});
});
