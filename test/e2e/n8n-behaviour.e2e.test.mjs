// What the Begini Trigger relies on in n8n itself, checked with a test-only probe node
// (test/e2e/probe-package) installed as a community package into the pinned n8n.
// Rerun this when N8N_VERSION changes: a failure here means the node's assumptions need a look.
//
// Run: node --experimental-vm-modules node_modules/jest/bin/jest.js -c test/e2e/jest.config.mjs n8n-behaviour

import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { sendDelivery } from '../../scripts/lib/begini-sender.mjs';
import { ROOT, n8nMajor, packPackage } from '../../scripts/lib/n8n-harness.mjs';
import { startN8nWithPackage, stopN8n, withN8nLog } from './support.mjs';

const PROBE_TYPE = 'n8n-nodes-harnessprobe.probeTrigger';
const WORKFLOW_ID = 'ProbeWorkflow0001';

let started;
let n8n;
let url;
let workflowId; // n8n 1.x assigns its own id on create; 2.x keeps WORKFLOW_ID

/** An unsigned JSON POST (the probe checks no signature), through the same loopback-only sender. */
const post = (target, body) =>
	sendDelivery({ url: target, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

const staticData = async () =>
	(await n8n.rest('GET', `/workflows/${workflowId}`)).staticData?.['node:Probe Trigger'] ?? {};

const withLog = (fn) => withN8nLog(n8n, fn);

beforeAll(async () => {
	const tarball = await packPackage({ cwd: join(ROOT, 'test', 'e2e', 'probe-package') });
	started = await startN8nWithPackage(tarball, 'e2e-probe');
	n8n = started.n8n;
	const wf = await n8n.importAndActivateWorkflow(
		{
			id: WORKFLOW_ID,
			name: 'probe',
			nodes: [
				{
					parameters: {},
					id: 'probe-trigger',
					name: 'Probe Trigger',
					type: PROBE_TYPE,
					typeVersion: 1,
					position: [0, 0],
					webhookId: '0e0e0e0e-1111-4111-8111-000000000001',
				},
				{ parameters: {}, id: 'probe-after', name: 'After', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [200, 0] },
			],
			connections: { 'Probe Trigger': { main: [[{ node: 'After', type: 'main', index: 0 }]] } },
			settings: { executionOrder: 'v1' },
		},
		{ webhookNodeTypes: [PROBE_TYPE] },
	);
	workflowId = wf.id;
	url = wf.productionWebhookUrl;
	await n8n.waitForWebhook(url);
}, 30 * 60_000);

afterAll(() => stopN8n(started), 60_000);

test('(a) a node that returns workflowData and webhookResponse, with responseData "", gets exactly that body once the execution exists', () =>
	withLog(async () => {
		const res = await post(url, { tag: 'a' });
		expect(res.status).toBe(200);
		expect(res.json).toEqual({ probe: 'accepted', mode: 'webhook' });
		// n8n answers after it has created the execution row (it may still be running)
		expect(await n8n.listExecutions(workflowId)).toHaveLength(1);
		const [exec] = await n8n.waitForExecutions(workflowId, { count: 1 });
		const d = await n8n.getExecution(exec.id);
		expect(d.mode).toBe('webhook');
		expect(d.status).toBe('success');
		expect(d.nodesRun).toEqual(['Probe Trigger', 'After']);
		expect(d.nodes['Probe Trigger'].outputs[0]).toEqual([
			{ tag: 'a', first: true },
			{ tag: 'a', second: true },
		]);
	}));

test('(b) static data written in webhook() is lost in n8n 2.x once the column holds data; written when n8n reads webhookResponse, it is saved before the answer', () =>
	withLog(async () => {
		// Request (a) found the column empty, so n8n's preparation of the execution did not touch its copy.
		expect(await staticData()).toEqual({ webhookCalls: 1, tags: ['a'] });
		expect((await post(url, { tag: 'b0' })).status).toBe(200);
		await n8n.waitForExecutions(workflowId, { count: 2 });
		if (n8nMajor() >= 2) {
			// From now on, preparing the execution clears the "changed" mark on the request's copy
			// (WorkflowRunner.establishContextForPersistence, n8n 2.41.1): webhook()'s own writes are dropped.
			expect(await staticData()).toEqual({ webhookCalls: 1, tags: ['a'] });
		} else {
			expect(await staticData()).toEqual({ webhookCalls: 2, tags: ['a', 'b0'] });
		}
		// A write when n8n reads webhookResponse (after storing the execution) marks the copy again, so n8n saves
		// it, with everything webhook() wrote, before it answers. Begini Trigger relies on this; if it starts to
		// fail, n8n changed: re-check the node's answerOnceStored().
		for (const tag of ['b1', 'b2']) {
			expect((await post(url, { tag, whenAnswered: true })).status).toBe(200);
			expect((await staticData()).tagsWhenAnswered.at(-1)).toBe(tag);
		}
		await n8n.waitForExecutions(workflowId, { count: 4 });
		expect(await staticData()).toMatchObject({ tags: expect.arrayContaining(['a', 'b1', 'b2']), tagsWhenAnswered: ['b1', 'b2'] });
	}));

test('a request that starts nothing: the node answer is sent and webhook() static-data writes are saved', () =>
	withLog(async () => {
		const before = await staticData();
		const res = await post(url, { tag: 'n', mode: 'noexec' });
		expect(res.status).toBe(202);
		expect(res.json).toEqual({ probe: 'noexec' });
		await sleep(800);
		expect(await n8n.listExecutions(workflowId)).toHaveLength(4);
		expect(await staticData()).toMatchObject({ webhookCalls: before.webhookCalls + 1, tags: [...before.tags, 'n'] });
	}));

test('a throw in webhook(): n8n answers 500 and records a failed execution', () =>
	withLog(async () => {
		const res = await post(url, { tag: 'c', mode: 'throw' });
		expect(res.status).toBe(500);
		expect(res.text).toContain('Workflow could not be started');
		const list = await n8n.waitForExecutions(workflowId, { count: 5 });
		const d = await n8n.getExecution(list[0].id);
		expect(d.status).toBe('error');
		expect(d.error?.message).toBe('probe throw');
	}));

test('(c) the test webhook armed by POST /rest/workflows/:id/run runs once in manual mode and saves no static data', () =>
	withLog(async () => {
		const before = await staticData();
		const armed = await n8n.armTestWebhook(workflowId, 'Probe Trigger');
		expect(armed.waitingForWebhook).toBe(true);
		expect(armed.testUrl).toMatch(/\/webhook-test\/0e0e0e0e-1111-4111-8111-000000000001\/webhook$/);
		const res = await post(armed.testUrl, { tag: 'd' });
		expect(res.status).toBe(200);
		expect(res.json).toEqual({ probe: 'accepted', mode: 'manual' });
		const list = await n8n.waitForExecutions(workflowId, { count: 6 });
		const d = await n8n.getExecution(list[0].id);
		expect(d.mode).toBe('manual');
		expect(d.nodes['Probe Trigger'].outputs[0][0]).toMatchObject({ tag: 'd' });
		expect(await staticData()).toEqual(before);
		await sleep(1000);
		expect((await post(armed.testUrl, { tag: 'd2' })).status).toBe(404); // one-shot
	}));

test('static data saved by webhook() survives a restart', () =>
	withLog(async () => {
		const before = await staticData();
		await n8n.restart();
		await n8n.waitForWebhook(url);
		expect(await staticData()).toEqual(before);
		expect((await post(url, { tag: 'e', whenAnswered: true })).status).toBe(200);
		await n8n.waitForExecutions(workflowId, { count: 7 });
		expect((await staticData()).tagsWhenAnswered.at(-1)).toBe('e');
	}));
