// End-to-end: the packed package installed into a real n8n (pinned version; 2.x on Node 24) as a
// community package, the example workflow active, signed Begini deliveries over loopback HTTP.
//
// Run (after `npm run build`):
//   node --experimental-vm-modules node_modules/jest/bin/jest.js -c test/e2e/jest.config.mjs
// Env: N8N_VERSION (default 2.41.1; 1.123.81 also passes), E2E_TARBALL (use this tarball instead of packing),
//      E2E_STAGE=1 (build + pack a copy of the sources in .cache/stage), E2E_KEEP=1 (keep the n8n folder).
// The first run installs n8n into .cache/n8n (a few minutes, ~3 GB); later runs reuse it.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { BEGINI_TRIGGER_TYPE, ROOT, packPackage } from '../../scripts/lib/n8n-harness.mjs';
import { buildDelivery, customizePayload, loadFixture, sendDelivery, signBody } from '../../scripts/lib/begini-sender.mjs';
import { startN8nWithPackage, stopN8n, withN8nLog } from './support.mjs';

const EXAMPLE = join(ROOT, 'examples', 'begini-risk-routing.json');
const KEY = 'e2e-current-api-key-7f3a9c';
const PREVIOUS_KEY = 'e2e-previous-api-key-1b2d4e';
const SWITCH = 'Route by risk band';
const TRIGGER = 'Begini Trigger';

let started;
let n8n;
let workflow;
let url;
const seenExecutions = new Set();

const withLog = (fn) => withN8nLog(n8n, fn);

function deliver(options) {
	return sendDelivery(buildDelivery({ url, key: KEY, ...options }));
}

/** Waits for `count` executions of the workflow that were not seen before; returns their details, oldest first. */
async function newExecutions(workflowId, { count = 1, timeoutMs = 20_000 } = {}) {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const list = await n8n.listExecutions(workflowId);
		const fresh = list.filter(
			(e) => !seenExecutions.has(e.id) && !['new', 'running', 'waiting'].includes(e.status),
		);
		if (fresh.length >= count) {
			const details = [];
			for (const e of fresh.reverse()) {
				seenExecutions.add(e.id);
				details.push(await n8n.getExecution(e.id));
			}
			return details;
		}
		if (Date.now() > deadline) {
			throw new Error(`expected ${count} new execution(s) of ${workflowId}, got ${fresh.length}`);
		}
		await sleep(200);
	}
}

/**
 * The example workflow as another active workflow, with its own id, name and trigger URL (`webhookId`),
 * its trigger changed by `changeTrigger`, and the Begini API credential; resolves once its URL answers.
 */
async function activateExampleVariant({ id, name, webhookId, changeTrigger }) {
	const wfJson = JSON.parse(readFileSync(EXAMPLE, 'utf8'));
	Object.assign(wfJson, { id, name });
	const trigger = wfJson.nodes.find((n) => n.type === BEGINI_TRIGGER_TYPE);
	trigger.webhookId = webhookId;
	changeTrigger(trigger);
	const credentials = await n8n.rest('GET', '/credentials');
	const cred = credentials.find((c) => c.type === 'beginiApi');
	const variant = await n8n.importAndActivateWorkflow(wfJson, { credentials: { beginiApi: cred } });
	await n8n.waitForWebhook(variant.productionWebhookUrl);
	return variant;
}

/** Asserts that no execution starts within `waitMs`. */
async function expectNoNewExecution(workflowId, waitMs = 1500) {
	await sleep(waitMs);
	const list = await n8n.listExecutions(workflowId);
	const fresh = list.filter((e) => !seenExecutions.has(e.id));
	expect(fresh).toEqual([]);
}

beforeAll(async () => {
	const distNode = join(ROOT, 'dist', 'nodes', 'BeginiTrigger', 'BeginiTrigger.node.js');
	if (!process.env.E2E_TARBALL && process.env.E2E_STAGE !== '1' && !existsSync(distNode)) {
		throw new Error(`${distNode} is missing: run \`npm run build\` first (or set E2E_STAGE=1)`);
	}
	const tarball = process.env.E2E_TARBALL ?? (await packPackage({ stage: process.env.E2E_STAGE === '1' }));
	started = await startN8nWithPackage(tarball, 'e2e');
	n8n = started.n8n;
	const credential = await n8n.createCredential({
		name: 'Begini API',
		type: 'beginiApi',
		data: { apiKey: KEY, previousApiKey: PREVIOUS_KEY, environment: 'production' },
	});
	workflow = await withLog(() => n8n.importAndActivateWorkflow(EXAMPLE, { credentials: { beginiApi: credential } }));
	url = workflow.productionWebhookUrl;
	await withLog(() => n8n.waitForWebhook(url));
}, 30 * 60_000);

afterAll(() => stopN8n(started), 60_000);

test('n8n loads the package as a community package, with no errors about it', () =>
	withLog(async () => {
		const types = await n8n.loadedNodeTypes();
		expect(types).toContain(BEGINI_TRIGGER_TYPE);
		expect(workflow.active).toBe(true);
		expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/webhook\/5b0e6f1a-3c7d-4e2b-9a41-b3e9c0d2f8a1\/webhook$/);
		const complaints = n8n
			.logMatching(/begini/i)
			.filter((l) => /error|fail|warn|could not|cannot|deprecat/i.test(l) && !/refused a delivery/.test(l));
		expect(complaints).toEqual([]);
	}));

const CASES = [
	['psychometric_score.complete', 'Approve', { riskBand: 'B', score: 712, platform: 'WEB', scoreConfidence: 'HIGH' }],
	['android_score.complete', 'Manual review', { riskBand: 'C', score: 655, platform: 'ANDROID' }],
	['ios_score.complete', 'Decline', { riskBand: 'D', score: 590, platform: 'IOS' }],
	['application.expired', 'Journey ended without score', { riskBand: null, score: null }],
	['application.incomplete', 'Journey ended without score', { riskBand: null, score: null }],
	['application.cancelled', 'Journey ended without score', { riskBand: null, score: null }],
	['application.complete', 'Other event', { riskBand: null, score: null }],
];

test.each(CASES)('a signed %s delivery runs the workflow and takes the "%s" branch', (eventType, branch, fields) =>
	withLog(async () => {
		const fixture = loadFixture(eventType);
		const res = await deliver({ payload: fixture });
		expect(res.status).toBe(200);
		expect(res.json).toMatchObject({ status: 'accepted' });
		expect(typeof res.json.deliveryId).toBe('string');

		const [exec] = await newExecutions(workflow.id);
		expect(exec.mode).toBe('webhook');
		expect(exec.status).toBe('success');
		expect(exec.nodesRun.slice(0, 2)).toEqual([TRIGGER, SWITCH]);
		expect(exec.branches[SWITCH]).toEqual({ [branch]: 1 });

		expect(exec.triggerItems).toHaveLength(1);
		const item = exec.triggerItems[0];
		expect(item).toMatchObject({
			eventType,
			uid: fixture.uid,
			integrationId: fixture.integration_id,
			environment: 'production',
			deliveryId: res.json.deliveryId,
			...fields,
		});
		expect(item.payload).toEqual(fixture);
		expect(Number.isNaN(Date.parse(item.receivedAt))).toBe(false);
		for (const key of ['traits', 'reasons', 'permissionsGranted', 'permissionsDenied']) expect(item).toHaveProperty(key);
		if (eventType === 'psychometric_score.complete') {
			expect(item.traits).toMatchObject({ conscientiousness: { riskBand: 'A' }, impulsivity: { riskBand: 'C' } });
			expect(item.scoredAtIso).toBe(new Date(1776161525 * 1000).toISOString());
		}
		if (eventType === 'android_score.complete') {
			expect(item.permissionsGranted).toEqual(['READ_CALENDAR', 'ACCESS_COARSE_LOCATION']);
			expect(item.permissionsDenied).toEqual(['READ_CONTACTS']);
		}
		if (eventType === 'application.incomplete') expect(item.reasons).toEqual(['SESSION_ABANDONED']);
		if (eventType === 'application.cancelled') expect(item.reasons).toEqual(['PRIVACY_POLICY_REJECTED']);
	}),
);

test('a retry of the same delivery is acknowledged with 200 and does not run the workflow again', () =>
	withLog(async () => {
		const payload = customizePayload(loadFixture('ios_score.complete'), { uid: 'APP-E2E-RETRY' });
		const first = await deliver({ payload });
		expect(first.status).toBe(200);
		expect(first.json.status).toBe('accepted');
		await newExecutions(workflow.id);
		const second = await deliver({ payload });
		expect(second.status).toBe(200);
		expect(second.json).toMatchObject({ status: 'duplicate', deliveryId: first.json.deliveryId });
		await expectNoNewExecution(workflow.id);
	}));

test.each([
	['tampered after signing', { tampered: true }, 'signature mismatch'],
	['unsigned', { unsigned: true }, 'missing signature'],
	["signed with the other environment's key", { wrongKey: 'e2e-test-environment-api-key-5c8d' }, 'signature mismatch'],
	['signed with HMAC-SHA256', { algorithm: 'sha256' }, 'malformed signature'],
	['signature in X-Begini-Signature', { header: 'X-Begini-Signature' }, 'missing signature'],
])('a delivery %s is refused with 401 and starts nothing', (label, options, reason) =>
	withLog(async () => {
		const payload = customizePayload(loadFixture('psychometric_score.complete'), {
			uid: `APP-E2E-REFUSED-${label.replace(/\W+/g, '-')}`,
		});
		const res = await deliver({ payload, ...options });
		expect(res.status).toBe(401);
		expect(res.json).toEqual({ error: reason });
		await expectNoNewExecution(workflow.id, 1000);
	}),
);

test('a malformed signature (not hex) is refused with 401 and starts nothing', () =>
	withLog(async () => {
		const body = Buffer.from(JSON.stringify(customizePayload(loadFixture('ios_score.complete'), { uid: 'APP-E2E-MALFORMED' })));
		const res = await sendDelivery({
			url,
			method: 'POST',
			headers: { 'content-type': 'application/json', 'X-Signature': 'z'.repeat(128) },
			body,
		});
		expect(res.status).toBe(401);
		expect(res.json).toEqual({ error: 'malformed signature' });
		await expectNoNewExecution(workflow.id, 1000);
	}));

test('20 concurrent copies of one new delivery start exactly one execution; copies still in progress are not answered 200', () =>
	withLog(async () => {
		const delivery = buildDelivery({
			url,
			key: KEY,
			payload: customizePayload(loadFixture('psychometric_score.complete'), { uid: 'APP-E2E-CONCURRENT' }),
		});
		const answers = await Promise.all(Array.from({ length: 20 }, () => sendDelivery(delivery)));
		const outcomes = answers.map((res) => `${res.status} ${res.json.status ?? res.json.error}`);
		expect(outcomes.filter((outcome) => outcome === '200 accepted')).toHaveLength(1);
		// The others arrived while the first was being stored (409, Begini retries later) or after (duplicate).
		expect(outcomes.filter((outcome) => !['409 delivery in progress', '200 duplicate'].includes(outcome))).toEqual(['200 accepted']);
		expect((await sendDelivery(delivery)).json.status).toBe('duplicate');
		const [exec] = await newExecutions(workflow.id);
		expect(exec.triggerItems[0].uid).toBe('APP-E2E-CONCURRENT');
		await expectNoNewExecution(workflow.id, 2000);
	}));

test('a signed event of a type nobody knows yet runs the workflow (Events filter empty)', () =>
	withLog(async () => {
		const payload = {
			uid: 'APP-E2E-UNKNOWN-TYPE',
			integration_id: '65f1c2a9e4b0a1d2c3e4f5a6',
			event: { type: 'loan_offer.accepted', details: { offer_id: 'OF-1', new_field: { nested: true } } },
			added_later: [1, 2, 3],
		};
		const res = await deliver({ payload });
		expect(res.status).toBe(200);
		expect(res.json.status).toBe('accepted');
		const [exec] = await newExecutions(workflow.id);
		expect(exec.status).toBe('success');
		expect(exec.branches[SWITCH]).toEqual({ 'Other event': 1 });
		expect(exec.triggerItems[0]).toMatchObject({ eventType: 'loan_offer.accepted', riskBand: null, payload });
	}));

test('a delivery signed with the previous key (key rotation) is accepted', () =>
	withLog(async () => {
		const payload = customizePayload(loadFixture('android_score.complete'), { uid: 'APP-E2E-ROTATION' });
		const res = await sendDelivery(buildDelivery({ url, key: PREVIOUS_KEY, payload }));
		expect(res.status).toBe(200);
		expect(res.json.status).toBe('accepted');
		const [exec] = await newExecutions(workflow.id);
		expect(exec.triggerItems[0]).toMatchObject({ uid: 'APP-E2E-ROTATION', signedWithPreviousKey: true });
	}));

test.each([
	// n8n's body parser (dist/middlewares/body-parser.js) parses application/json before the node runs and
	// answers 422 "Failed to parse request body" itself; other content types reach the node, which answers 400.
	['application/json', 422],
	['text/plain', 400],
])('a correctly signed body that is not JSON, sent as %s, is answered %i and starts nothing', (contentType, status) =>
	withLog(async () => {
		const body = Buffer.from('{"uid": "APP-E2E-BROKEN", "event": ', 'utf8');
		const res = await sendDelivery({
			url,
			method: 'POST',
			headers: { 'content-type': contentType, 'X-Signature': signBody(body, KEY) },
			body,
		});
		expect(res.status).toBe(status);
		await expectNoNewExecution(workflow.id, 1000);
	}),
);

test.each([
	['as application/octet-stream', 'application/octet-stream'],
	['with no content type', undefined],
])(
	'a correctly signed event sent %s, a body n8n does not read for a version-2 trigger, is read by the node and accepted',
	(label, contentType) =>
		withLog(async () => {
			const payload = customizePayload(loadFixture('ios_score.complete'), { uid: `APP-E2E-RAW-${label.replace(/\W+/g, '-')}` });
			const body = Buffer.from(JSON.stringify(payload), 'utf8');
			const headers = { 'X-Signature': signBody(body, KEY), ...(contentType && { 'content-type': contentType }) };
			const res = await sendDelivery({ url, method: 'POST', headers, body });
			expect(res.status).toBe(200);
			expect(res.json.status).toBe('accepted');
			const [exec] = await newExecutions(workflow.id);
			expect(exec.triggerItems[0]).toMatchObject({ uid: payload.uid, riskBand: 'D', payload });
		}),
);

test('the exact bytes are verified: a compact body with non-ASCII text is accepted', () =>
	withLog(async () => {
		const payload = customizePayload(loadFixture('application.incomplete'), { uid: 'APP-E2E-ÜNÏCÖDÉ-€' });
		const res = await deliver({ payload: JSON.stringify(payload) });
		expect(res.status).toBe(200);
		const [exec] = await newExecutions(workflow.id);
		expect(exec.triggerItems[0].uid).toBe('APP-E2E-ÜNÏCÖDÉ-€');
	}));

test('trait keys that name Object.prototype members (__proto__, constructor) are stored by n8n like any other', () =>
	withLog(async () => {
		const body = JSON.stringify({
			uid: 'APP-E2E-PROTO',
			integration_id: '65f1c2a9e4b0a1d2c3e4f5a6',
			event: {
				type: 'psychometric_score.complete',
				details: {
					calculated: {
						score: 640,
						risk_band: 'C',
						traits: [
							{ key: '__proto__', value: '0.1', risk_band: 'A' },
							{ key: 'constructor', value: '0.2', risk_band: 'B' },
						],
					},
				},
			},
		});
		expect((await deliver({ payload: body })).status).toBe(200);
		const [exec] = await newExecutions(workflow.id);
		const { traits } = exec.triggerItems[0];
		expect(Object.keys(traits)).toEqual(['__proto__', 'constructor']);
		expect(Object.getOwnPropertyDescriptor(traits, '__proto__').value).toEqual({ value: '0.1', riskBand: 'A' });
		expect(traits.constructor).toEqual({ value: '0.2', riskBand: 'B' });
	}));

test('the retry memory survives an n8n restart (webhook() static data is saved with the stored execution)', () =>
	withLog(async () => {
		const before = await n8n.rest('GET', `/workflows/${workflow.id}`);
		expect(JSON.stringify(before.staticData ?? {})).toContain('seenDeliveries');
		await n8n.restart();
		await n8n.waitForWebhook(url);
		const res = await deliver({ payload: loadFixture('psychometric_score.complete') });
		expect(res.status).toBe(200);
		expect(res.json.status).toBe('duplicate');
		await expectNoNewExecution(workflow.id);
	}));

test('"Listen for test event" armed through the REST API: a test delivery runs the workflow in manual mode', () =>
	withLog(async () => {
		const armed = await n8n.armTestWebhook(workflow.id, TRIGGER);
		expect(armed.waitingForWebhook).toBe(true);
		expect(armed.testUrl).toBe(workflow.testWebhookUrl);
		const payload = customizePayload(loadFixture('psychometric_score.complete'), { uid: 'APP-E2E-TEST-URL', riskBand: 'E' });
		const res = await sendDelivery(buildDelivery({ url: armed.testUrl, key: KEY, payload }));
		expect(res.status).toBe(200);
		expect(res.json.status).toBe('accepted');
		const [exec] = await newExecutions(workflow.id);
		expect(exec.mode).toBe('manual');
		expect(exec.branches[SWITCH]).toEqual({ Decline: 1 });

		// one-shot: the test URL is gone once the execution started
		await sleep(1000);
		const again = await sendDelivery(buildDelivery({ url: armed.testUrl, key: KEY, payload }));
		expect(again.status).toBe(404);

		// a test delivery must not make the same delivery a "duplicate" in production
		const prod = await deliver({ payload });
		expect(prod.status).toBe(200);
		expect(prod.json.status).toBe('accepted');
		const [prodExec] = await newExecutions(workflow.id);
		expect(prodExec.mode).toBe('webhook');
	}));

test('the event filter: an unselected event type is acknowledged and ignored', () =>
	withLog(async () => {
		const filtered = await activateExampleVariant({
			id: 'BeginiE2eFilter1',
			name: 'Begini e2e: only application.expired',
			webhookId: '0d7c4f7e-5e39-4c8e-9a0b-2f6f4b1e9e11',
			changeTrigger: (trigger) => (trigger.parameters.events = ['application.expired']),
		});
		const send = (type) =>
			sendDelivery(
				buildDelivery({
					url: filtered.productionWebhookUrl,
					key: KEY,
					payload: customizePayload(loadFixture(type), { uid: 'APP-E2E-FILTER' }),
				}),
			);
		const ignored = await send('psychometric_score.complete');
		expect(ignored.status).toBe(200);
		expect(ignored.json.status).toBe('ignored');
		await expectNoNewExecution(filtered.id, 1000);
		const taken = await send('application.expired');
		expect(taken.status).toBe(200);
		expect(taken.json.status).toBe('accepted');
		const [exec] = await newExecutions(filtered.id);
		expect(exec.branches[SWITCH]).toEqual({ 'Journey ended without score': 1 });
	}));

test('a workflow saved with version 1 of the trigger (before version 2 was added) still verifies, routes and deduplicates', () =>
	withLog(async () => {
		const saved = await activateExampleVariant({
			id: 'BeginiE2eVersion1',
			name: 'Begini e2e: trigger version 1',
			webhookId: '7a1e0c52-94d3-4f0b-8e6a-1c2d3e4f5a61',
			changeTrigger: (trigger) => (trigger.typeVersion = 1),
		});
		const delivery = (options) =>
			sendDelivery(buildDelivery({ url: saved.productionWebhookUrl, key: KEY, payload: customizePayload(loadFixture('android_score.complete'), { uid: 'APP-E2E-V1' }), ...options }));
		const forged = await delivery({ tampered: true });
		expect(forged.status).toBe(401);
		const first = await delivery();
		expect(first.status).toBe(200);
		expect(first.json.status).toBe('accepted');
		const [exec] = await newExecutions(saved.id);
		expect(exec.branches[SWITCH]).toEqual({ 'Manual review': 1 });
		const retry = await delivery();
		expect(retry.json).toMatchObject({ status: 'duplicate', deliveryId: first.json.deliveryId });
		await expectNoNewExecution(saved.id, 1000);
	}));
