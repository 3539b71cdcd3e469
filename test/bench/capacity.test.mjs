// Unit tests of the capacity plan (scripts/bench/capacity.mjs) and of reading servers' usage from /proc
// (scripts/bench/process-usage.mjs). Run by `npm run test:unit` with node's test runner.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { capacityPlan, MAX_RETRY_MEMORY, PLANNED_CORE_SHARE, retryMemoryPlan } from '../../scripts/bench/capacity.mjs';
import { parseStat, perDelivery } from '../../scripts/bench/process-usage.mjs';

const usage = {
	front: { cpuMsPerDelivery: 0.5, rssBytes: 5e6 },
	'webhook-1': { cpuMsPerDelivery: 20, rssBytes: 300e6 },
	'webhook-2': { cpuMsPerDelivery: 20, rssBytes: 310e6 },
	'worker-1': { cpuMsPerDelivery: 35, rssBytes: 400e6 },
	main: { cpuMsPerDelivery: 1, rssBytes: 350e6 },
	postgres: { cpuMsPerDelivery: 4, rssBytes: 80e6 },
	redis: { cpuMsPerDelivery: 0.2, rssBytes: 4e6 },
};

test('a role adds up its servers, and needs rate × CPU per delivery cores', () => {
	const plan = capacityPlan(usage, [10, 100]);
	const webhooks = plan.find((r) => r.role === 'webhook processes');
	assert.equal(webhooks.cpuMsPerDelivery, 40);
	assert.equal(webhooks.perCorePerSecond, 25);
	assert.equal(webhooks.rssBytesPerProcess, 310e6);
	assert.equal(webhooks.at[100].cores, 4);
	assert.equal(webhooks.at[100].processes, Math.ceil(4 / PLANNED_CORE_SHARE));
	const postgres = plan.find((r) => r.role === 'PostgreSQL');
	assert.equal(postgres.at[100].cores, 0.4);
	assert.equal(postgres.at[100].processes, undefined);
});

test('n8n roles get at least one process, however low the rate', () => {
	const workers = capacityPlan(usage, [1]).find((r) => r.role === 'workers');
	assert.equal(workers.at[1].processes, 1);
});

test('a /proc stat line: group, CPU of the process and its reaped children, resident memory', () => {
	// pid (comm with ") (" in it) state ppid pgrp … utime stime cutime cstime … rss (field 24)
	const fields = ['S', '1', '4242', ...Array(8).fill('0'), '150', '50', '30', '20', ...Array(6).fill('0'), '1000'];
	const stat = parseStat(`77 (n8n (worker) x) ${fields.join(' ')}`);
	assert.deepEqual(stat, { pgid: 4242, cpuMs: 2500, rssBytes: 1000 * 4096 });
});

test('usage per delivery is the CPU between two readings over the deliveries', () => {
	const before = { main: { cpuMs: 1000, rssBytes: 1 } };
	const after = { main: { cpuMs: 3000, rssBytes: 2 }, front: { cpuMs: 50, rssBytes: 3 } };
	assert.deepEqual(perDelivery(before, after, 100), { main: { cpuMsPerDelivery: 20, rssBytes: 2 }, front: { cpuMsPerDelivery: 0.5, rssBytes: 3 } });
});

test('the retry memory must hold every delivery of the retry horizon, and n8n writes it whole with each one', () => {
	assert.deepEqual(retryMemoryPlan(10, 900), { entries: 9000, storedBytes: 216_000, writtenBytesPerSecond: 2_160_000, withinSetting: true });
	assert.equal(retryMemoryPlan(1000, 900).withinSetting, false);
	assert.equal(retryMemoryPlan(MAX_RETRY_MEMORY / 900, 900).withinSetting, true);
});
