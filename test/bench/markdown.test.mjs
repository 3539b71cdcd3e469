// Unit tests of the bench's Markdown formatting. Run by `npm run test:unit` with node's test runner.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { formatBytes, formatNumber, formatRatio, markdownTable } from '../../scripts/bench/markdown.mjs';

test('numbers, ratios and sizes read as a person writes them', () => {
	assert.equal(formatNumber(12345.678, 1), '12,345.7');
	assert.equal(formatNumber(Number.NaN), '–');
	assert.equal(formatRatio(0.934), '0.93×');
	assert.equal(formatBytes(150_044), '150.0 kB');
	assert.equal(formatBytes(3_000_044), '3.00 MB');
	assert.equal(formatBytes(45), '45 B');
});

test('a table has a header, a separator and one line per row; a | in a cell does not split it', () => {
	const table = markdownTable(['a', 'b'], [['1', 'x|y']]);
	assert.equal(table, '| a | b |\n| --- | --- |\n| 1 | x\\|y |');
});
