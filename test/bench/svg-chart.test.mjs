// Unit tests of the bench's SVG chart. Run by `npm run test:unit` with node's test runner.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { chartSvg, niceTicks } from '../../scripts/bench/svg-chart.mjs';

test('ticks are round numbers covering the range', () => {
	assert.deepEqual(niceTicks(0, 9.3), [0, 2, 4, 6, 8, 10]);
	assert.deepEqual(niceTicks(0, 150), [0, 50, 100, 150]);
});

test('a chart has one panel per entry, one line and one point per value, and escaped text', () => {
	const svg = chartSvg([
		{ title: 'Cost <µs>', xLabel: 'x', yLabel: 'y', series: [{ name: 'a & b', points: [[1, 2], [10, 4], [100, 8]] }], logX: true },
		{ title: 'Second', xLabel: 'x', yLabel: 'y', series: [{ name: 'c', points: [[1, 1], [2, Number.NaN]] }] },
	]);
	assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="680"/);
	assert.equal(svg.match(/<polyline /g).length, 2);
	assert.equal(svg.match(/<circle /g).length, 4); // the NaN point is left out
	assert.match(svg, /Cost &lt;µs&gt;/);
	assert.match(svg, /a &amp; b/);
	assert.doesNotMatch(svg, /NaN/);
});

test('x labels that would overlap are left out', () => {
	const svg = chartSvg([{ title: 't', xLabel: 'x', yLabel: 'y', logX: true, series: [{ name: 's', points: [[1, 1], [2500, 1], [5000, 1], [100000, 1]] }] }]);
	assert.doesNotMatch(svg, />2\.5k</);
	assert.match(svg, />5k</);
	assert.match(svg, />100k</);
});
