import { Receiver } from '../helpers/receiver';
import { runBeginiNode } from '../helpers/beginiNode';
import { SANDBOX, SandboxProcess } from '../helpers/sandboxProcess';

/** The Begini node against the real sandbox (scripts/sandbox.mjs, a child process), through n8n-core. */

let sandbox: SandboxProcess;
let hmacSandbox: SandboxProcess;
let receiver: Receiver;

beforeAll(async () => {
	[sandbox, hmacSandbox, receiver] = await Promise.all([
		SandboxProcess.start(),
		SandboxProcess.start(['--hmac']),
		new Receiver().start(),
	]);
});

afterAll(async () => {
	await Promise.all([sandbox?.stop(), hmacSandbox?.stop(), receiver?.stop()]);
});

const credential = (overrides: Record<string, unknown> = {}) => ({
	apiKey: SANDBOX.production.apiKey,
	previousApiKey: '',
	environment: 'production',
	integrationId: SANDBOX.production.integrationId,
	baseUrl: sandbox.url,
	sessionAuthentication: 'apiKey',
	...overrides,
});
const createSession = (uid: string, more: Record<string, unknown> = {}) => ({
	resource: 'session',
	operation: 'create',
	uid,
	...more,
});
const sendTestEvent = { resource: 'webhook', operation: 'sendTestEvent' };

describe('Session → Create', () => {
	it('creates a session: token, the URL Begini returned, uid, environment, integration, time', async () => {
		const before = Date.now();
		const run = await runBeginiNode({ parameters: createSession('APP2026000101'), credential: credential() });
		expect(run.error).toBeUndefined();
		expect(run.items).toEqual([
			{
				uid: 'APP2026000101',
				accessToken: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
				assessmentUrl: `${sandbox.url}/master/psychometrics`,
				environment: 'production',
				integrationId: SANDBOX.production.integrationId,
				createdAt: expect.any(String),
				uidWarning: null,
			},
		]);
		expect(Date.parse(run.items[0].createdAt as string)).toBeGreaterThanOrEqual(before - 1000);
		const state = await sandbox.state();
		expect(state.sessions.find((s) => s.uid === 'APP2026000101')).toMatchObject({ environment: 'production', state: 'created' });
	});

	it('creates one session per input item, paired with its item, uid from an expression', async () => {
		const run = await runBeginiNode({
			parameters: createSession('={{ $json.applicationId }}'),
			credential: credential(),
			items: [{ applicationId: 'APP2026000102' }, { applicationId: 'APP2026000103' }],
		});
		expect(run.items.map((item) => item.uid)).toEqual(['APP2026000102', 'APP2026000103']);
		expect(run.pairedItems).toEqual([{ item: 0 }, { item: 1 }]);
	});

	it("uses the node's Integration ID over the credential's: another environment's is refused with 403", async () => {
		const run = await runBeginiNode({
			parameters: createSession('APP2026000104', { integrationId: SANDBOX.test.integrationId }),
			credential: credential(),
		});
		expect(run.error).toMatchObject({
			name: 'NodeApiError',
			httpCode: '403',
			message: expect.stringContaining('may not create sessions for this integration (403)'),
		});
	});

	it('refuses a wrong key with 401 and never shows the key', async () => {
		const wrongKey = 'wrong-key-3b7c9d1e5f';
		const run = await runBeginiNode({ parameters: createSession('APP2026000105'), credential: credential({ apiKey: wrongKey }) });
		expect(run.error).toMatchObject({ name: 'NodeApiError', httpCode: '401', message: 'Begini refused the API key (401): Invalid Api-key' });
		expect(run.error!.description).toContain('Test and Production have different keys');
		expect(run.error!.whole).not.toContain(wrongKey);
		expect(run.logs.join('\n')).not.toContain(wrongKey);
	});

	it('checks the uid before sending: a bad uid reaches no API', async () => {
		const run = await runBeginiNode({ parameters: createSession('jane@example.com'), credential: credential() });
		expect(run.error).toMatchObject({ name: 'NodeOperationError', message: expect.stringContaining('contains "@"') });
		expect(`${run.error!.message} ${run.error!.description}`).not.toContain('jane');
		expect((await sandbox.state()).sessions.map((s) => s.uid)).not.toContain('jane@example.com');
	});

	it("passes '-' and '_' (Begini's own examples) with a warning on the item", async () => {
		const run = await runBeginiNode({ parameters: createSession('APP-2026-000106'), credential: credential() });
		expect(run.items[0]).toMatchObject({ uid: 'APP-2026-000106', uidWarning: expect.stringContaining("'-' or '_'") });
	});

	it('says where to set a missing integration ID', async () => {
		const run = await runBeginiNode({ parameters: createSession('APP2026000107'), credential: credential({ integrationId: '' }) });
		expect(run.error).toMatchObject({ name: 'NodeOperationError', message: 'No integration ID' });
		expect(run.error!.description).toContain('Integration ID in the Begini API credential');
	});

	it('with "Continue on fail": an error item for the bad input, sessions for the others, each paired', async () => {
		const run = await runBeginiNode({
			parameters: createSession('={{ $json.applicationId }}'),
			credential: credential(),
			items: [{ applicationId: 'APP2026000108' }, { applicationId: 'x' }, { applicationId: 'APP2026000109' }],
			continueOnFail: true,
		});
		expect(run.error).toBeUndefined();
		expect(run.items[0].uid).toBe('APP2026000108');
		expect(run.items[1]).toEqual({ error: expect.stringContaining('has 1 characters'), description: null, httpCode: null });
		expect(run.items[2].uid).toBe('APP2026000109');
		expect(run.pairedItems).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
	});

	it('the same uid twice: the sandbox re-issues a token for the same session (Begini does not document it)', async () => {
		const first = await runBeginiNode({ parameters: createSession('APP2026000110'), credential: credential() });
		const second = await runBeginiNode({ parameters: createSession('APP2026000110'), credential: credential() });
		expect(second.items[0].uid).toBe('APP2026000110');
		expect(second.items[0].accessToken).not.toBe(first.items[0].accessToken);
		const session = (await sandbox.state()).sessions.find((s) => s.uid === 'APP2026000110');
		expect(session?.tokensIssued).toBe(2);
	});

	it('HMAC mode: signs the exact body, sends no api-key, and the sandbox accepts it', async () => {
		const run = await runBeginiNode({
			parameters: createSession('APP2026000111'),
			credential: credential({ baseUrl: hmacSandbox.url, sessionAuthentication: 'hmac' }),
		});
		expect(run.error).toBeUndefined();
		expect(run.items[0].uid).toBe('APP2026000111');
	});

	it('HMAC mode required but the key sent in api-key: 401', async () => {
		const run = await runBeginiNode({ parameters: createSession('APP2026000112'), credential: credential({ baseUrl: hmacSandbox.url }) });
		expect(run.error).toMatchObject({ httpCode: '401', message: expect.stringContaining('requires an HMAC signature') });
	});
});

describe('Session → Create, when no Begini answers', () => {
	it('an HTML page instead of JSON', async () => {
		const page = await new Receiver(() => ({ status: 200, contentType: 'text/html', body: '<html><body>Welcome to nginx!</body></html>' })).start();
		try {
			const run = await runBeginiNode({ parameters: createSession('APP2026000113'), credential: credential({ baseUrl: page.url }) });
			expect(run.error).toMatchObject({ name: 'NodeApiError', message: 'The API answered 200 with an HTML page instead of JSON' });
			expect(run.error!.description).toContain('API Base URL');
		} finally {
			await page.stop();
		}
	});

	it('a non-JSON text answer shows an excerpt of it', async () => {
		const text = await new Receiver(() => ({ status: 422, contentType: 'text/plain', body: 'uid rejected' })).start();
		try {
			const run = await runBeginiNode({ parameters: createSession('APP2026000114'), credential: credential({ baseUrl: text.url }) });
			expect(run.error).toMatchObject({ httpCode: '422', message: 'Begini refused the session request (422): uid rejected' });
		} finally {
			await text.stop();
		}
	});

	it('a timeout, after the Timeout option', async () => {
		const silent = await new Receiver(() => ({ status: 200, hang: true })).start();
		try {
			const run = await runBeginiNode({
				parameters: createSession('APP2026000115', { options: { timeoutSeconds: 1 } }),
				credential: credential({ baseUrl: silent.url }),
			});
			expect(run.error).toMatchObject({ name: 'NodeApiError', message: 'Begini did not answer within 1 seconds' });
			expect(silent.received).toHaveLength(1); // a timeout is not retried
		} finally {
			await silent.stop();
		}
	});

	it('a 503 is retried once, at once, with the same uid and bytes', async () => {
		const flaky = await new Receiver((_request, index) =>
			index === 0 ? { status: 503, body: '{"detail":"busy"}' } : { status: 200, body: '{"access_token":"a.b.c","url":"https://x/y"}' },
		).start();
		try {
			const run = await runBeginiNode({ parameters: createSession('APP2026000116'), credential: credential({ baseUrl: flaky.url }) });
			expect(run.items[0]).toMatchObject({ uid: 'APP2026000116', accessToken: 'a.b.c' });
			expect(flaky.received).toHaveLength(2);
			expect(flaky.received[1].body.equals(flaky.received[0].body)).toBe(true);
		} finally {
			await flaky.stop();
		}
	});

	it('a refused connection names the base URL', async () => {
		const closed = await new Receiver().start();
		await closed.stop();
		const run = await runBeginiNode({ parameters: createSession('APP2026000117'), credential: credential({ baseUrl: closed.url }) });
		expect(run.error).toMatchObject({ message: `Could not connect to ${closed.url} (connection refused)` });
	});

	it('refuses a plain-http base URL that is not on this machine before sending anything', async () => {
		const run = await runBeginiNode({ parameters: createSession('APP2026000118'), credential: credential({ baseUrl: 'http://api.begini.co' }) });
		expect(run.error).toMatchObject({ name: 'NodeOperationError', message: expect.stringContaining('must start with https://') });
	});
});

describe('Webhook → Send Test Event (each documented answer)', () => {
	it('424 when no webhook URL is set for the environment', async () => {
		const run = await runBeginiNode({ parameters: sendTestEvent, credential: credential({ apiKey: SANDBOX.test.apiKey, environment: 'test' }) });
		expect(run.error).toMatchObject({ httpCode: '424', message: expect.stringContaining('No webhook URL is set for this environment') });
		expect(run.error!.description).toContain('the Test tab');
	});

	it('200: delivered, one signed delivery reached the receiver', async () => {
		await sandbox.setWebhook('production', `${receiver.url}/hook`);
		receiver.answerWith(() => ({ status: 200, body: '{"status":"accepted"}' }));
		const before = receiver.received.length;
		const run = await runBeginiNode({ parameters: sendTestEvent, credential: credential() });
		expect(run.items).toEqual([
			{ delivered: true, receiverStatusCode: 200, detail: expect.any(String), environment: 'production', testedAt: expect.any(String) },
		]);
		expect(receiver.received.length - before).toBe(1);
		expect(receiver.received.at(-1)!.headers['x-signature']).toMatch(/^[0-9a-f]{128}$/);
	});

	it("422: the receiver's status and body, and what to fix", async () => {
		await sandbox.setWebhook('production', `${receiver.url}/hook`);
		receiver.answerWith(() => ({ status: 401, body: '{"error":"signature mismatch"}' }));
		const run = await runBeginiNode({ parameters: sendTestEvent, credential: credential() });
		expect(run.error).toMatchObject({
			httpCode: '422',
			message: 'Begini reached your webhook, which answered 401: {"error":"signature mismatch"}',
		});
		expect(run.error!.description).toContain('API key');
	});

	it('503 when the receiver cannot be reached', async () => {
		const gone = await new Receiver().start();
		await gone.stop();
		await sandbox.setWebhook('production', `${gone.url}/hook`);
		const run = await runBeginiNode({ parameters: sendTestEvent, credential: credential() });
		expect(run.error).toMatchObject({ httpCode: '503', message: expect.stringContaining('could not reach your webhook (503): Cannot connect to host') });
	});

	it('403 for a key Begini does not know, 400 for none', async () => {
		const invalid = await runBeginiNode({ parameters: sendTestEvent, credential: credential({ apiKey: 'unknown-key-0000' }) });
		expect(invalid.error).toMatchObject({ httpCode: '403', message: 'Begini refused the API key (403): Invalid Api-key' });
		const none = await runBeginiNode({ parameters: sendTestEvent, credential: credential({ apiKey: '' }) });
		expect(none.error).toMatchObject({ httpCode: '400', message: 'Begini received no API key (400): No Api-key supplied' });
	});
});
