// Unit tests of the CPU profile reading (scripts/bench/cpu-profile-analysis.mjs) on a hand-made profile.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { attribute, moduleOf } from '../../scripts/bench/cpu-profile-analysis.mjs';

const N8N = '/x/node_modules/n8n/dist';
const frame = (functionName, url = '') => ({ functionName, url });
// root → webhook handler → static data save → TypeORM's simpleJsonToString; root → handler → begini node; root → (idle);
// root → typeorm (a continuation after an await, no n8n frame)
const profile = {
	nodes: [
		{ id: 1, callFrame: frame('(root)'), children: [2, 5, 6] },
		{ id: 2, callFrame: frame('executeWebhook', `${N8N}/webhooks/live-webhooks.js`), children: [3, 7] },
		{ id: 3, callFrame: frame('saveStaticData', `${N8N}/workflows/workflow-static-data.service.js`), children: [4] },
		{ id: 4, callFrame: frame('simpleJsonToString', '/x/node_modules/@n8n/typeorm/util/DateUtils.js'), children: [] },
		{ id: 5, callFrame: frame('(idle)'), children: [] },
		{ id: 6, callFrame: frame('query', '/x/node_modules/@n8n/typeorm/driver/sqlite/SqliteQueryRunner.js'), children: [] },
		{ id: 7, callFrame: frame('webhook', '/x/nodes/node_modules/n8n-nodes-begini/dist/nodes/BeginiTrigger.node.js'), children: [] },
	],
	startTime: 1000,
	// samples at 1100, 1200, …, 1600 µs, each standing for 100 µs
	samples: [4, 4, 5, 6, 7, 4],
	timeDeltas: [100, 100, 100, 100, 100, 100],
};

test('a path that merely contains the package name (a cache folder) is not the node', () => {
	const cached = { ...profile, nodes: profile.nodes.map((n) => ({ ...n, callFrame: { ...n.callFrame, url: n.callFrame.url.replace('/x/', '/root/.cache/n8n-nodes-begini/') } })) };
	const result = attribute(cached, [{ key: 'w', fromUs: 1500, toUs: 1501, deliveries: 1 }]);
	assert.deepEqual(Object.keys(result.w.centres), ['Begini node (webhook(), HMAC, memory)']);
	const other = attribute(cached, [{ key: 'w', fromUs: 1400, toUs: 1401, deliveries: 1 }]);
	assert.deepEqual(Object.keys(other.w.centres), ['TypeORM + sqlite3 (JS side)']);
});

test('each sample goes to the first cost centre on its stack; idle is apart; simple-json counted across', () => {
	const result = attribute(profile, [{ key: 'w', fromUs: 1100, toUs: 1700, deliveries: 2 }]);
	const w = result.w;
	assert.equal(w.deliveries, 2);
	assert.equal(w.idleMs, 0.1);
	assert.equal(Number(w.busyMs.toFixed(3)), 0.5);
	assert.equal(Number(w.centres['static data load/save (WorkflowStaticDataService)'].toFixed(3)), 0.3);
	assert.equal(w.centres['Begini node (webhook(), HMAC, memory)'], 0.1);
	assert.equal(w.centres['TypeORM + sqlite3 (JS side)'], 0.1);
	const json = 'TypeORM simple-json parse/stringify (staticData column)';
	assert.equal(Number(w.crossCutting[json].toFixed(3)), 0.3);
	assert.equal(Number(w.crossCutting[`${json} in: static data load/save (WorkflowStaticDataService)`].toFixed(3)), 0.3);
	assert.equal(Number(w.modules['@n8n/typeorm'].toFixed(3)), 0.4); // three simpleJsonToString samples and one query
	assert.equal(w.functions['query [@n8n/typeorm]'], 0.1);
});

test('only the samples inside a window count, and windows of one key add up', () => {
	const result = attribute(profile, [
		{ key: 'w', fromUs: 1100, toUs: 1300, deliveries: 1 },
		{ key: 'w', fromUs: 1600, toUs: 1601, deliveries: 1 },
	]);
	assert.equal(result.w.deliveries, 2);
	assert.equal(Number(result.w.busyMs.toFixed(3)), 0.3);
	assert.deepEqual(Object.keys(result.w.centres), ['static data load/save (WorkflowStaticDataService)']);
});

test('module of a frame: scoped and plain packages, node core, native', () => {
	assert.equal(moduleOf('/a/node_modules/@n8n/typeorm/x.js'), '@n8n/typeorm');
	assert.equal(moduleOf('/a/node_modules/n8n/node_modules/express/lib/router.js'), 'express');
	assert.equal(moduleOf('node:internal/streams/readable'), 'node core');
	assert.equal(moduleOf(''), '(native / V8)');
});
