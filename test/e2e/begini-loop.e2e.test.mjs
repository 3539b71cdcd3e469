// End-to-end: the whole Begini loop in a real n8n (pinned version), with the Begini sandbox standing in for
// Begini: an application arrives at the intake workflow (examples/begini-application-intake.json), the Begini
// node creates a session at the sandbox, the sandbox plays the applicant and delivers signed webhooks to the
// risk-routing workflow (examples/begini-risk-routing.json), whose Begini Trigger routes them: one execution
// per delivery, also when the sandbox resends one.
//
// Run (after `npm run build`):
//   node --experimental-vm-modules node_modules/jest/bin/jest.js -c test/e2e/jest.config.mjs begini-loop

import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { ROOT, packPackage } from '../../scripts/lib/n8n-harness.mjs';
import { BeginiSandbox } from '../../scripts/lib/begini-sandbox.mjs';
import { startN8nWithPackage, stopN8n, withN8nLog } from './support.mjs';

const KEY = 'e2e-loop-api-key-5c8e2a';
const INTEGRATION_ID = '65f1c2a9e4b0a1d2c3e4f5b1';
const ROUTING = join(ROOT, 'examples', 'begini-risk-routing.json');
const INTAKE = join(ROOT, 'examples', 'begini-application-intake.json');
const SWITCH = 'Route by risk band';

let started;
let n8n;
let sandbox;
let routing;
let intake;
let credential;
let testEventWorkflow;
const credentialData = {
	apiKey: KEY,
	previousApiKey: '',
	environment: 'production',
	integrationId: INTEGRATION_ID,
	baseUrl: '', // the sandbox's, once it is up
	sessionAuthentication: 'apiKey',
};
/** A workflow that runs Send Test Event when called: Webhook → Begini (Webhook → Send Test Event). */
const SEND_TEST_EVENT = {
	id: 'BeginiSendTest01',
	name: 'Begini: send a test event',
	nodes: [
		{
			parameters: { httpMethod: 'POST', path: 'begini-send-test', responseMode: 'lastNode', options: {} },
			id: '1f0e9d8c-7b6a-4c5d-8e9f-0a1b2c3d4e5f',
			name: 'Call',
			type: 'n8n-nodes-base.webhook',
			typeVersion: 2.1,
			position: [0, 0],
			webhookId: '2a1b0c9d-8e7f-4a6b-9c5d-1e2f3a4b5c6d',
		},
		{
			parameters: { resource: 'webhook', operation: 'sendTestEvent', options: {} },
			id: '3b2c1d0e-9f8a-4b7c-8d6e-2f3a4b5c6d7e',
			name: 'Send test event',
			type: 'n8n-nodes-begini.begini',
			typeVersion: 1,
			position: [260, 0],
			credentials: { beginiApi: { id: 'x', name: 'Begini API' } },
		},
	],
	connections: { Call: { main: [[{ node: 'Send test event', type: 'main', index: 0 }]] } },
};
const withLog = (fn) => withN8nLog(n8n, fn);

/** What a lender's front end does: posts a new application to the intake workflow. */
async function submitApplication(body) {
	const response = await fetch(intake.deliveryUrl, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(body),
	});
	const text = await response.text();
	return { status: response.status, text, json: text.startsWith('{') ? JSON.parse(text) : undefined };
}

/**
 * A loopback HTTP server on `host` that records each request and answers with `answer(request)`:
 * { status, headers, body }.
 */
async function recordingServer(host, answer) {
	const received = [];
	const server = createServer(async (req, res) => {
		for await (const chunk of req) void chunk;
		const request = { method: req.method, path: req.url, headers: req.headers };
		received.push(request);
		const { status, headers = {}, body = '' } = answer(request);
		res.writeHead(status, { 'content-type': 'application/json', ...headers });
		res.end(body);
	});
	await new Promise((resolve) => server.listen(0, host, resolve));
	return {
		url: `http://${host}:${server.address().port}`,
		received,
		stop: () => new Promise((resolve) => server.close(resolve)),
	};
}

/** SEND_TEST_EVENT, activated the first time a test needs it. */
async function activeTestEventWorkflow() {
	testEventWorkflow ??= await started.activateWorkflow(SEND_TEST_EVENT, { credentials: { beginiApi: credential } });
	return testEventWorkflow;
}

/** The routing workflow's finished executions, oldest first, decoded. */
async function routingExecutions(count) {
	const list = await n8n.waitForExecutions(routing.id, { count });
	return Promise.all(list.reverse().map((e) => n8n.getExecution(e.id)));
}

beforeAll(async () => {
	if (!process.env.E2E_TARBALL && !existsSync(join(ROOT, 'dist', 'nodes', 'Begini', 'Begini.node.js'))) {
		throw new Error('dist/ is missing the Begini node: run `npm run build` first');
	}
	const tarball = process.env.E2E_TARBALL ?? (await packPackage({}));
	sandbox = await new BeginiSandbox({
		port: 0,
		fast: true,
		environments: { production: { apiKey: KEY, integrationId: INTEGRATION_ID } },
	}).start();
	started = await startN8nWithPackage(tarball, 'e2e-loop');
	n8n = started.n8n;
	credentialData.baseUrl = sandbox.url;
	credential = await n8n.createCredential({ name: 'Begini API', type: 'beginiApi', data: credentialData });
	routing = await withLog(() => started.activateWorkflow(ROUTING, { credentials: { beginiApi: credential } }));
	intake = await withLog(() => started.activateWorkflow(INTAKE, { credentials: { beginiApi: credential } }));
	// What the lender does in Begini's Deployment Centre: paste the trigger's Production URL.
	sandbox.configure('production', { webhookUrl: routing.deliveryUrl });
}, 30 * 60_000);

afterAll(async () => {
	await stopN8n(started);
	await sandbox?.stop();
}, 60_000);

test('n8n loads the Begini node, its AI-tool variant (usableAsTool) and the trigger', () =>
	withLog(async () => {
		expect(await n8n.loadedNodeTypes()).toEqual(
			expect.arrayContaining(['n8n-nodes-begini.begini', 'n8n-nodes-begini.beginiTool', 'n8n-nodes-begini.beginiTrigger']),
		);
		expect(intake.active).toBe(true);
	}));

test('an application creates a Begini session; the intake workflow answers with the link to send', () =>
	withLog(async () => {
		const answer = await submitApplication({ applicationId: 'APP2026E2E001', email: 'applicant@example.com' });
		expect(answer.status).toBe(200);
		expect(answer.json).toEqual({
			applicationId: 'APP2026E2E001',
			assessmentUrl: `${sandbox.url}/master/psychometrics`,
			accessToken: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
			environment: 'production',
			sessionCreatedAt: expect.any(String),
			applicantEmail: 'applicant@example.com',
		});
		expect(sandbox.state().sessions).toEqual([expect.objectContaining({ uid: 'APP2026E2E001', environment: 'production', state: 'created' })]);

		const [execution] = await n8n.waitForExecutions(intake.id, { count: 1 });
		const details = await n8n.getExecution(execution.id);
		expect(details.status).toBe('success');
		expect(details.nodesRun).toEqual(['New application', 'Create Begini session', 'Link to send']);
	}));

test('the applicant completes: two signed deliveries, two executions, the score routed to Approve', () =>
	withLog(async () => {
		const played = await sandbox.play({ uid: 'APP2026E2E001', outcome: 'complete', riskBand: 'B', score: 731, wait: true });
		expect(played.deliveries.map((d) => [d.eventType, d.status, d.attempts.map((a) => a.status)])).toEqual([
			['application.complete', 'delivered', [200]],
			['psychometric_score.complete', 'delivered', [200]],
		]);
		const executions = await routingExecutions(2);
		const byType = Object.fromEntries(executions.map((e) => [e.triggerItems[0].eventType, e]));
		expect(byType['psychometric_score.complete']).toMatchObject({
			status: 'success',
			branches: { [SWITCH]: { Approve: 1 } },
			triggerItems: [expect.objectContaining({ uid: 'APP2026E2E001', integrationId: INTEGRATION_ID, riskBand: 'B', score: 731 })],
		});
		expect(byType['application.complete'].branches[SWITCH]).toEqual({ 'Other event': 1 });
	}));

test('a resend after a lost answer starts nothing more: one execution per delivery', () =>
	withLog(async () => {
		const session = await submitApplication({ applicationId: 'APP2026E2E002', email: 'second@example.com' });
		expect(session.status).toBe(200);
		const played = await sandbox.play({ uid: 'APP2026E2E002', outcome: 'expire', timeOutFirstAttempt: true, wait: true });
		const [delivery] = played.deliveries;
		expect(delivery.attempts.map((a) => [a.status, a.lost ?? false])).toEqual([
			[200, true],
			[200, false],
		]);
		expect(JSON.parse(delivery.attempts[0].body)).toMatchObject({ status: 'accepted' });
		expect(JSON.parse(delivery.attempts[1].body)).toMatchObject({ status: 'duplicate' });

		const executions = await routingExecutions(3);
		await sleep(1500); // a second execution, if any, would be listed by now
		expect(await n8n.listExecutions(routing.id)).toHaveLength(3);
		const expired = executions.filter((e) => e.triggerItems[0].uid === 'APP2026E2E002');
		expect(expired).toHaveLength(1);
		expect(expired[0].branches[SWITCH]).toEqual({ 'Journey ended without score': 1 });
	}));

test("Send Test Event through n8n: Begini's test delivery reaches the trigger, which accepts it", () =>
	withLog(async () => {
		const tester = await activeTestEventWorkflow();
		const response = await fetch(tester.deliveryUrl, { method: 'POST' });
		expect(response.status).toBe(200);
		expect(await response.json()).toMatchObject({ delivered: true, receiverStatusCode: 200, environment: 'production' });
		const executions = await routingExecutions(4);
		expect(executions.at(-1)).toMatchObject({
			triggerItems: [expect.objectContaining({ eventType: 'webhook.test', integrationId: INTEGRATION_ID })],
			branches: { [SWITCH]: { 'Other event': 1 } },
		});
	}));

test('HMAC mode in real n8n: the credential signs the exact body and the sandbox accepts it', () =>
	withLog(async () => {
		sandbox.configure('production', { sessionAuthentication: 'hmac' });
		await n8n.ensureCredential({ name: 'Begini API', type: 'beginiApi', data: { ...credentialData, sessionAuthentication: 'hmac' } });
		try {
			const answer = await submitApplication({ applicationId: 'APP2026E2E003' });
			expect(answer.status).toBe(200);
			expect(answer.json).toMatchObject({ applicationId: 'APP2026E2E003', accessToken: expect.any(String) });
		} finally {
			sandbox.configure('production', { sessionAuthentication: 'apiKey' });
			await n8n.ensureCredential({ name: 'Begini API', type: 'beginiApi', data: credentialData });
		}
	}));

test('a bad application id is refused by the node before Begini is called, with a clear error', () =>
	withLog(async () => {
		const answer = await submitApplication({ applicationId: 'jane.doe@example.com' });
		expect(answer.status).toBe(500);
		expect(sandbox.state().sessions.map((s) => s.uid)).not.toContain('jane.doe@example.com');
		const list = await n8n.waitForExecutions(intake.id, { count: 4 });
		const failed = await n8n.getExecution(list[0].id);
		expect(failed.status).toBe('error');
		expect(failed.error?.message ?? JSON.stringify(failed.nodes['Create Begini session'].error)).toContain('Begini accepts');
	}));

test("n8n's credential test runs the local check: a malformed key or base URL is refused, a good one accepted", () =>
	withLog(async () => {
		const testWith = (change) =>
			n8n.rest('POST', '/credentials/test', {
				credentials: { id: credential.id, name: 'Begini API', type: 'beginiApi', data: { ...credentialData, ...change } },
			});
		expect(await testWith({})).toMatchObject({ status: 'OK' });
		expect(await testWith({ apiKey: 'e2e loop key' })).toEqual({
			status: 'Error',
			message: 'API Key contains a space or line break; paste the key as one word',
		});
		expect(await testWith({ baseUrl: 'http://api.begini.co' })).toMatchObject({
			status: 'Error',
			message: expect.stringContaining('must start with https://'),
		});
		expect(sandbox.state().sessions).toHaveLength(3); // the test sent nothing to the API
	}));

test('a redirect from the API Base URL is an error naming where it pointed; the key never reaches that host', () =>
	withLog(async () => {
		// What a redirect would reach: another loopback host, answering as Begini would.
		const elsewhere = await recordingServer('127.0.0.2', (request) => ({
			status: 200,
			body: request.path.includes('sessions')
				? '{"access_token":"a.b.c","url":"http://127.0.0.2/assessment"}'
				: '{"webhook_receiver_status_code":200,"detail":"Webhook sent successfully"}',
		}));
		// The API Base URL: 307 for session creation, 302 for the test event, to the same path on 127.0.0.2.
		const redirector = await recordingServer('127.0.0.1', (request) => ({
			status: request.path.includes('sessions') ? 307 : 302,
			headers: { location: `${elsewhere.url}${request.path}` },
		}));
		const lastError = async (workflowId, nodeName, count) => {
			const [latest] = await n8n.waitForExecutions(workflowId, { count });
			const details = await n8n.getExecution(latest.id);
			return { status: details.status, error: details.nodes[nodeName].error };
		};
		try {
			const runs = [];
			for (const sessionAuthentication of ['apiKey', 'hmac']) {
				const data = { ...credentialData, baseUrl: redirector.url, sessionAuthentication };
				await n8n.ensureCredential({ name: 'Begini API', type: 'beginiApi', data });
				const count = (await n8n.listExecutions(intake.id)).length + 1;
				const answer = await submitApplication({ applicationId: `APP2026E2E${sessionAuthentication.length}9` });
				runs.push({ answer: answer.status, ...(await lastError(intake.id, 'Create Begini session', count)) });
			}
			const tester = await activeTestEventWorkflow();
			const count = (await n8n.listExecutions(tester.id)).length + 1;
			const answer = await fetch(tester.deliveryUrl, { method: 'POST' });
			runs.push({ answer: answer.status, ...(await lastError(tester.id, 'Send test event', count)) });

			expect(elsewhere.received).toEqual([]);
			expect(redirector.received.map((r) => [r.method, r.path, r.headers['api-key'] === KEY])).toEqual([
				['POST', '/v1/sessions-management/tokens', true],
				['POST', '/v1/sessions-management/tokens', false], // HMAC mode: a signature, no key
				['POST', '/v1/webhooks-management/test', true],
			]);
			const target = (status, path) => `redirect (${status}) to ${elsewhere.url}${path}`;
			expect(runs).toEqual([
				{ answer: 500, status: 'error', error: expect.objectContaining({ message: expect.stringContaining(target(307, '/v1/sessions-management/tokens')) }) },
				{ answer: 500, status: 'error', error: expect.objectContaining({ message: expect.stringContaining(target(307, '/v1/sessions-management/tokens')) }) },
				{ answer: 500, status: 'error', error: expect.objectContaining({ message: expect.stringContaining(target(302, '/v1/webhooks-management/test')) }) },
			]);
			expect(JSON.stringify(runs)).not.toContain(KEY);
		} finally {
			await n8n.ensureCredential({ name: 'Begini API', type: 'beginiApi', data: credentialData });
			await Promise.all([redirector.stop(), elsewhere.stop()]);
		}
	}));

test("the API key never appears in n8n's log", () =>
	withLog(async () => {
		expect(n8n.fullLog()).not.toContain(KEY);
	}));
