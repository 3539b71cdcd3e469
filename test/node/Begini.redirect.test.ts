import { runBeginiNode } from '../helpers/beginiNode';
import { Receiver } from '../helpers/receiver';

/**
 * Where the Begini node sends the API key, through n8n-core's WorkflowExecute and real HTTP helpers: to the
 * credential's API Base URL and nowhere else, whatever that URL answers.
 */

const KEY = 'redirect-test-api-key-6d1f0b';
const INTEGRATION_ID = '65f1c2a9e4b0a1d2c3e4f5a6';

let elsewhere: Receiver;
let redirector: Receiver;

beforeAll(async () => {
	// Another loopback host, answering as Begini would: what a followed redirect would reach.
	elsewhere = await new Receiver((request) => ({
		status: 200,
		body: request.path.includes('sessions')
			? '{"access_token":"a.b.c","url":"http://127.0.0.2/assessment"}'
			: '{"webhook_receiver_status_code":200,"detail":"sent"}',
	})).start('127.0.0.2');
	// The API Base URL: 307 for session creation, 302 for the test event, to the same path on 127.0.0.2.
	redirector = await new Receiver((request) => ({
		status: request.path.includes('sessions') ? 307 : 302,
		headers: { location: `${elsewhere.url}${request.path}` },
	})).start();
});

afterAll(async () => Promise.all([elsewhere?.stop(), redirector?.stop()]));

const credential = (overrides: Record<string, unknown> = {}) => ({
	apiKey: KEY,
	previousApiKey: '',
	environment: 'production',
	integrationId: INTEGRATION_ID,
	baseUrl: redirector.url,
	sessionAuthentication: 'apiKey',
	...overrides,
});
const createSession = { resource: 'session', operation: 'create', uid: 'APP2026000301' };
const sendTestEvent = { resource: 'webhook', operation: 'sendTestEvent' };

describe('a redirect from the API Base URL', () => {
	it.each([
		['Session → Create', createSession, 'apiKey', 307, '/v1/sessions-management/tokens'],
		['Session → Create in HMAC mode', createSession, 'hmac', 307, '/v1/sessions-management/tokens'],
		['Webhook → Send Test Event', sendTestEvent, 'apiKey', 302, '/v1/webhooks-management/test'],
	])('%s: is an error naming where it pointed; nothing reaches that host', async (_label, parameters, mode, status, path) => {
		const before = redirector.received.length;
		const run = await runBeginiNode({ parameters, credential: credential({ sessionAuthentication: mode }) });
		expect(run.items).toEqual([]);
		expect(run.error).toMatchObject({
			name: 'NodeApiError',
			httpCode: String(status),
			message: `The API Base URL answered with a redirect (${status}) to ${elsewhere.url}${path}`,
			description: expect.stringContaining('follows no redirects'),
		});
		expect(redirector.received.slice(before).map((r) => r.path)).toEqual([path]);
		expect(elsewhere.received).toEqual([]);
		expect(run.error!.whole).not.toContain(KEY);
		expect(run.logs.join('\n')).not.toContain(KEY);
	});
});

describe('a user name or password in the API Base URL', () => {
	it('is refused before anything is sent, and shown nowhere', async () => {
		const receiver = await new Receiver().start();
		try {
			const withPassword = receiver.url.replace('http://', 'http://user:hunter2@');
			for (const parameters of [createSession, sendTestEvent]) {
				const run = await runBeginiNode({ parameters, credential: credential({ baseUrl: withPassword }) });
				expect(run.error).toMatchObject({ name: 'NodeOperationError', message: expect.stringContaining('contains a user name or password') });
				expect(`${run.error!.whole} ${run.logs.join('\n')}`).not.toContain('hunter2');
			}
			expect(receiver.received).toEqual([]);
		} finally {
			await receiver.stop();
		}
	});
});
