// Unit tests of the bench's summary rows. Run by `npm run test:unit` with node's test runner.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { summaryRows } from '../../scripts/bench/report.mjs';

/** Part 4's two rows (target: at least 0.9) for a durable rate against an immediate one of 10/s. */
function acknowledgementRatios(durablePerS) {
	const immediate = { answeredPerS: 10, executedPerS: 10 };
	const durable = { answeredPerS: durablePerS, executedPerS: durablePerS };
	return summaryRows({ acknowledgement: { durable, immediate } }).map((row) => [row[5], row[7]]);
}

test('a ratio that two decimals would round across its target shows as many more as it takes, up to four', () => {
	assert.deepEqual(acknowledgementRatios(8.96)[0], ['0.896×', 'missed']);
	assert.deepEqual(acknowledgementRatios(8.996)[0], ['0.8996×', 'missed']);
	assert.deepEqual(acknowledgementRatios(9)[0], ['0.90×', 'met']);
});

test('any other ratio shows two decimals', () => {
	assert.deepEqual(acknowledgementRatios(9.34)[0], ['0.93×', 'met']);
	assert.deepEqual(acknowledgementRatios(8.7)[0], ['0.87×', 'missed']);
});
