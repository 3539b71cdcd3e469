// Unit tests of the bench's pure helpers (statistics). Run by `npm run test:unit` with node's test runner.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { latencySummary, median, ratio, verdict } from '../../scripts/bench/stats.mjs';

test('median of odd and even counts, in any order', () => {
	assert.equal(median([5, 1, 3]), 3);
	assert.equal(median([4, 1, 3, 2]), 2.5);
	assert.ok(Number.isNaN(median([])));
});

test('latency p50 and p99 come from the sorted values', () => {
	const latencies = Array.from({ length: 100 }, (_, i) => 100 - i); // 100 … 1, unsorted
	assert.deepEqual(latencySummary(latencies), { p50: 51, p99: 100 });
});

test('ratio is NaN without a usable baseline', () => {
	assert.equal(ratio(3, 2), 1.5);
	assert.ok(Number.isNaN(ratio(3, 0)));
	assert.ok(Number.isNaN(ratio(undefined, 2)));
});

test('verdict against at-least and at-most targets', () => {
	assert.equal(verdict(0.95, { atLeast: 0.9 }), 'met');
	assert.equal(verdict(0.85, { atLeast: 0.9 }), 'missed');
	assert.equal(verdict(1.2, { atMost: 1.1 }), 'missed');
	assert.equal(verdict(1.1, { atMost: 1.1 }), 'met');
	assert.equal(verdict(Number.NaN, { atMost: 1.1 }), 'n/a');
});
