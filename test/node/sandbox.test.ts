import { execFile, execFileSync } from 'child_process';
import { request } from 'http';
import { promisify } from 'util';
import { join } from 'path';

import { Receiver } from '../helpers/receiver';
import { SANDBOX, SandboxProcess } from '../helpers/sandboxProcess';
import type { SandboxState } from '../helpers/sandboxProcess';

/** The Begini sandbox (scripts/sandbox.mjs as a child process) against Begini's documented contract. */

let sandbox: SandboxProcess;
let receiver: Receiver;

beforeAll(async () => {
	[sandbox, receiver] = await Promise.all([SandboxProcess.start(), new Receiver().start()]);
	await sandbox.setWebhook('production', `${receiver.url}/hook`);
});
afterAll(async () => Promise.all([sandbox?.stop(), receiver?.stop()]));
beforeEach(() => receiver.answerWith(() => ({ status: 200, body: '{"status":"accepted"}' })));

/** Python's hmac, independent of the sandbox's code, as Begini documents its signature. */
function pythonSignature(body: Buffer, key: string): string {
	return execFileSync(
		'python3',
		['-c', 'import hmac,hashlib,sys; print(hmac.new(sys.argv[1].encode(), sys.stdin.buffer.read(), hashlib.sha512).hexdigest())', key],
		{ input: body, encoding: 'utf8' },
	).trim();
}

async function createSession(uid: string, apiKey = SANDBOX.production.apiKey, body: unknown = { uid, integration_id: SANDBOX.production.integrationId }) {
	const response = await fetch(`${sandbox.url}/v1/sessions-management/tokens`, {
		method: 'POST',
		headers: { 'content-type': 'application/json', ...(apiKey && { 'api-key': apiKey }) },
		body: typeof body === 'string' ? body : JSON.stringify(body),
	});
	return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

const play = (body: Record<string, unknown>) => sandbox.control<{ deliveries: SandboxState['deliveries'] }>('POST', '/sandbox/play', { wait: true, ...body });

describe('session creation (Begini: 401 key, 403 integration, 422 body)', () => {
	it.each([
		['no key', '', undefined, 401, 'No Api-key supplied'],
		['an unknown key', 'nope', undefined, 401, 'Invalid Api-key'],
		['a body that is not JSON', SANDBOX.production.apiKey, 'uid=APP1', 422, [{ loc: ['body', 'body'], msg: 'a JSON object is required', type: 'value_error' }]],
		['a 4-character uid', SANDBOX.production.apiKey, { uid: 'APP1', integration_id: SANDBOX.production.integrationId }, 422, [expect.objectContaining({ loc: ['body', 'uid'] })]],
		['a uid with a space', SANDBOX.production.apiKey, { uid: 'APP 2026', integration_id: SANDBOX.production.integrationId }, 422, [expect.objectContaining({ msg: 'uid must contain letters and digits only' })]],
		['no integration_id', SANDBOX.production.apiKey, { uid: 'APP2026000201' }, 422, [expect.objectContaining({ loc: ['body', 'integration_id'] })]],
		['the other environment’s integration', SANDBOX.production.apiKey, { uid: 'APP2026000202', integration_id: SANDBOX.test.integrationId }, 403, `Api-key not authorised for integration ${SANDBOX.test.integrationId}`],
	])('%s', async (_label, key, body, status, detail) => {
		const answer = await createSession('APP2026000200', key, body);
		expect(answer).toEqual({ status, json: { detail } });
	});

	it('200: a JWT-shaped token and the assessment URL', async () => {
		const answer = await createSession('APP2026000203');
		expect(answer.status).toBe(200);
		expect(answer.json).toEqual({ access_token: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/), url: `${sandbox.url}/master/psychometrics` });
		const page = await fetch(answer.json.url as string);
		expect(await page.text()).toContain('npm run sandbox -- play --uid');
	});
});

describe('playing the applicant: signed deliveries to the environment’s URL', () => {
	it('complete: application.complete and psychometric_score.complete, signed with the environment’s key (checked by Python)', async () => {
		await createSession('APP2026000210');
		const before = receiver.received.length;
		const result = await play({ uid: 'APP2026000210', outcome: 'complete', riskBand: 'D', score: 455 });
		expect(result.status).toBe(200);
		const received = receiver.received.slice(before);
		expect(received).toHaveLength(2);
		const events = received.map((r) => JSON.parse(r.body.toString('utf8')));
		expect(events.map((e) => e.event.type).sort()).toEqual(['application.complete', 'psychometric_score.complete']);
		const score = events.find((e) => e.event.type === 'psychometric_score.complete');
		expect(score).toMatchObject({ uid: 'APP2026000210', integration_id: SANDBOX.production.integrationId, event: { details: { calculated: { risk_band: 'D', score: 455 } } } });
		for (const r of received) {
			expect(r.headers['content-type']).toBe('application/json');
			expect(r.headers['x-signature']).toBe(pythonSignature(r.body, SANDBOX.production.apiKey));
		}
	});

	it.each([
		['expire', 'application.expired'],
		['cancel', 'application.cancelled'],
		['abandon', 'application.incomplete'],
	])('%s: %s', async (outcome, type) => {
		const uid = `APP2026000${outcome.length}2${type.length}`;
		await createSession(uid);
		const before = receiver.received.length;
		await play({ uid, outcome });
		expect(receiver.received.slice(before).map((r) => JSON.parse(r.body.toString('utf8')).event.type)).toEqual([type]);
	});

	it('resends the same bytes on a non-200 answer until it gets 200', async () => {
		await createSession('APP2026000220');
		receiver.answerWith((_r, index) => (index % 3 === 2 ? { status: 200 } : { status: 500, body: 'busy' }));
		receiver.received.length = 0;
		const result = await play({ uid: 'APP2026000220', outcome: 'expire' });
		expect(result.json.deliveries[0]).toMatchObject({ status: 'delivered', attempts: [{ status: 500 }, { status: 500 }, { status: 200 }] });
		expect(receiver.received).toHaveLength(3);
		expect(new Set(receiver.received.map((r) => r.body.toString('hex'))).size).toBe(1);
	});

	it('resends after a timeout', async () => {
		await createSession('APP2026000221');
		receiver.answerWith((_r, index) => (index === 0 ? { status: 200, hang: true } : { status: 200 }));
		receiver.received.length = 0;
		const result = await play({ uid: 'APP2026000221', outcome: 'cancel' });
		expect(result.json.deliveries[0]).toMatchObject({ status: 'delivered', attempts: [{ error: 'timeout' }, { status: 200 }] });
		expect(receiver.received).toHaveLength(2);
	}, 20_000);

	it('gives up after five attempts', async () => {
		await createSession('APP2026000225');
		receiver.answerWith(() => ({ status: 204 }));
		const result = await play({ uid: 'APP2026000225', outcome: 'abandon' });
		expect(result.json.deliveries[0]).toMatchObject({ status: 'failed', attempts: Array(5).fill(expect.objectContaining({ status: 204 })) });
	});

	it('--time-out-first: the first answer counts as lost, the same delivery is sent again', async () => {
		await createSession('APP2026000222');
		receiver.received.length = 0;
		const result = await play({ uid: 'APP2026000222', outcome: 'expire', timeOutFirstAttempt: true });
		expect(result.json.deliveries[0]).toMatchObject({ status: 'delivered', attempts: [{ status: 200, lost: true }, { status: 200 }] });
		expect(receiver.received).toHaveLength(2);
		expect(receiver.received[1].body.equals(receiver.received[0].body)).toBe(true);
	});

	it('refuses to play an unknown uid (404), an ended session (409), a bad outcome (422)', async () => {
		expect((await play({ uid: 'APP2026999999', outcome: 'complete' })).status).toBe(404);
		await createSession('APP2026000223');
		expect((await play({ uid: 'APP2026000223', outcome: 'launch' })).status).toBe(422);
		await play({ uid: 'APP2026000223', outcome: 'expire' });
		expect((await play({ uid: 'APP2026000223', outcome: 'complete' })).status).toBe(409);
		expect(await createSession('APP2026000223')).toMatchObject({ status: 422 });
	});

	it('only sends to this machine', async () => {
		const answer = await sandbox.control('PUT', '/sandbox/environments/test', { webhookUrl: 'https://n8n.example.com/webhook/x' });
		expect(answer).toEqual({
			status: 422,
			json: { detail: 'webhookUrl must be an http(s) URL on 127.0.0.1 or localhost, without user name or password' },
		});
	});

	it('npm run sandbox -- play: the command a user types', async () => {
		await createSession('APP2026000224');
		// Not execFileSync: the receiver in this process must answer while the command runs.
		const { stdout: output } = await promisify(execFile)(
			process.execPath,
			[join(__dirname, '..', '..', 'scripts', 'sandbox.mjs'), 'play', '--sandbox', sandbox.url, '--uid', 'APP2026000224', '--complete', '--band', 'A', '--wait'],
			{ encoding: 'utf8' },
		);
		expect(output).toContain('Played complete for uid APP2026000224 (production):');
		expect(output).toMatch(/psychometric_score\.complete\s+delivered\s+attempts: 200/);
	});
});

describe('payloads', () => {
	it('only score events carry the band and score played', async () => {
		await createSession('APP2026000230');
		const before = receiver.received.length;
		await play({ uid: 'APP2026000230', outcome: 'complete', riskBand: 'E', score: 300 });
		const events = receiver.received.slice(before).map((r) => JSON.parse(r.body.toString('utf8')));
		const complete = events.find((e) => e.event.type === 'application.complete');
		expect(complete.event.details.calculated).toBeUndefined();
		expect(events.find((e) => e.event.type === 'psychometric_score.complete').event.details.calculated).toMatchObject({ risk_band: 'E', score: 300 });
	});
});

/** A GET of /sandbox with the Host header given: what a page under a rebound DNS name would send. */
function getWithHost(host: string): Promise<{ status: number; body: string }> {
	const { port } = new URL(sandbox.url);
	return new Promise((resolve, reject) => {
		const req = request({ host: '127.0.0.1', port, path: '/sandbox', headers: { host } }, (res) => {
			let body = '';
			res.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
			res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
		});
		req.on('error', reject);
		req.end();
	});
}

describe('what the sandbox trusts (the process npm run sandbox starts)', () => {
	it('an environment named after an Object.prototype member is unknown: 404, and the real ones are untouched', async () => {
		const before = (await sandbox.state()).environments;
		for (const name of ['__proto__', 'constructor', 'toString']) {
			const answer = await sandbox.control('PUT', `/sandbox/environments/${name}`, { apiKey: 'polluted-0000', integrationId: 'polluted' });
			expect(answer).toEqual({ status: 404, json: { detail: expect.stringMatching(/^No environment/) } });
		}
		// had apiKey landed on Object.prototype, an update that names no key would pick it up
		const update = await sandbox.control('PUT', '/sandbox/environments/test', {});
		expect(update).toMatchObject({ status: 200, json: { apiKeyEnd: SANDBOX.test.apiKey.slice(-4), integrationId: SANDBOX.test.integrationId } });
		expect((await sandbox.state()).environments).toEqual(before);
	});

	it('answers only requests for 127.0.0.1 or localhost on its port: a rebound name gets 421', async () => {
		const { port } = new URL(sandbox.url);
		expect((await getWithHost(`localhost:${port}`)).status).toBe(200);
		const refused = await getWithHost(`rebound.example.com:${port}`);
		expect(refused.status).toBe(421);
		expect(JSON.parse(refused.body)).toEqual({ detail: `This sandbox answers only requests for 127.0.0.1:${port} or localhost:${port} (Host header)` });
	});
});
