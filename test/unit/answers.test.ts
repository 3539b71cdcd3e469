import type { HttpAnswer } from '../../nodes/Begini/answers';
import {
	detailText,
	sessionOutcome,
	shouldRetrySession,
	testEventOutcome,
	transportFailure,
} from '../../nodes/Begini/answers';

const json = (statusCode: number, body: unknown): HttpAnswer => ({
	statusCode,
	contentType: 'application/json',
	text: JSON.stringify(body),
});
const session = {
	uid: 'APP2026000123',
	integrationId: '65f1c2a9e4b0a1d2c3e4f5a6',
	environment: 'production',
	createdAt: '2026-04-15T10:00:00.000Z',
	uidWarning: null,
};
const test = { environment: 'test', testedAt: '2026-04-15T10:00:00.000Z' };

function failed(outcome: ReturnType<typeof sessionOutcome>) {
	if (outcome.ok) throw new Error(`expected an error, got ${JSON.stringify(outcome.json)}`);
	return outcome.error;
}

describe('session creation answers', () => {
	it('200: the token, the URL Begini returned, the uid, environment, integration and time', () => {
		expect(sessionOutcome(json(200, { access_token: 'eyJ.a.b', url: 'https://api.begini.co/master/psychometrics' }), session)).toEqual({
			ok: true,
			json: {
				uid: 'APP2026000123',
				accessToken: 'eyJ.a.b',
				assessmentUrl: 'https://api.begini.co/master/psychometrics',
				environment: 'production',
				integrationId: '65f1c2a9e4b0a1d2c3e4f5a6',
				createdAt: '2026-04-15T10:00:00.000Z',
				uidWarning: null,
			},
		});
	});

	it.each([
		[401, { detail: 'Invalid Api-key' }, 'Begini refused the API key (401): Invalid Api-key', 'Test and Production have different keys'],
		[403, { detail: 'not authorised' }, 'may not create sessions for this integration (403): not authorised', '65f1c2a9e4b0a1d2c3e4f5a6'],
		[422, { detail: [{ loc: ['body', 'uid'], msg: 'bad uid', type: 'value_error' }] }, 'refused the session request (422): body.uid: bad uid', '5 to 60 letters'],
		[422, 'not json at all', 'refused the session request (422): not json at all', 'uid'],
		[503, { detail: 'down' }, 'Begini is unavailable (503): down', 'Try again later'],
		[500, {}, 'Begini had a problem (500)', 'Try again later'],
		[404, { detail: 'Not Found' }, 'answered 404 (not found)', 'API Base URL'],
		[429, {}, 'limiting requests (429)', 'fewer requests'],
		[418, { detail: 'teapot' }, 'Begini answered 418: teapot', 'documents 200, 401, 403 and 422'],
	])('%i %j: a clear error', (status, body, message, description) => {
		const answer = typeof body === 'string' ? { statusCode: status, contentType: 'text/plain', text: body } : json(status, body);
		const error = failed(sessionOutcome(answer, session));
		expect(error.httpCode).toBe(String(status));
		expect(error.message).toContain(message);
		expect(error.description).toContain(description);
	});

	it('an HTML page (a proxy, a wrong base URL) is named as such, even with status 200', () => {
		const html = { statusCode: 200, contentType: 'text/html', text: '<!doctype html><html><body>Welcome to nginx</body></html>' };
		const error = failed(sessionOutcome(html, session));
		expect(error.message).toBe('The API answered 200 with an HTML page instead of JSON');
		expect(error.description).toContain('API Base URL');
		expect(error.detail).toContain('Welcome to nginx');
	});

	it('200 without a token is an error, not an item without a link', () => {
		const error = failed(sessionOutcome(json(200, { ok: true }), session));
		expect(error.message).toBe('The API answered 200 without an access_token and url');
	});

	it('a long body is cut to an excerpt', () => {
		const error = failed(sessionOutcome({ statusCode: 422, contentType: 'text/plain', text: 'x'.repeat(5000) }, session));
		expect(error.message.length).toBeLessThan(400);
	});
});

describe('test webhook answers (each documented one)', () => {
	it('200: delivered', () => {
		expect(testEventOutcome(json(200, { webhook_receiver_status_code: 200, detail: 'sent' }), test)).toEqual({
			ok: true,
			json: { delivered: true, receiverStatusCode: 200, detail: 'sent', environment: 'test', testedAt: test.testedAt },
		});
	});

	it.each([
		[400, { detail: 'No Api-key supplied' }, 'Begini received no API key (400): No Api-key supplied', 'API Key is empty'],
		[403, { detail: 'Invalid Api-key' }, 'Begini refused the API key (403): Invalid Api-key', 'different keys'],
		[
			424,
			{ detail: 'Webhooks not set for 65f1, please set in Begini Dashboard' },
			'No webhook URL is set for this environment in Begini (424)',
			'the Test tab → Webservice Endpoint URL',
		],
		[503, { detail: 'Cannot connect to host n8n.example.com' }, 'could not reach your webhook (503): Cannot connect to host n8n.example.com', 'reachable from the internet'],
	])('%i: a clear error', (status, body, message, description) => {
		const error = failed(testEventOutcome(json(status, body), test));
		expect(error.httpCode).toBe(String(status));
		expect(error.message).toContain(message);
		expect(error.description).toContain(description);
	});

	it.each([
		[401, '{"error":"signature mismatch"}', 'which answered 401: {"error":"signature mismatch"}', "this environment’s API key"],
		[404, 'not found', 'which answered 404: not found', 'Activate the workflow'],
		[201, '', 'which answered 201', 'only HTTP 200'],
		[204, '', 'which answered 204', 'not 201 or 204'],
		[500, 'boom', 'which answered 500: boom', 'executions'],
	])('422 with a receiver that answered %i: its status, its body and what to fix', (status, body, message, hint) => {
		const answer = json(422, { detail: { webhook_receiver_status_code: status, webhook_receiver_body_content: body } });
		const error = failed(testEventOutcome(answer, test));
		expect(error.httpCode).toBe('422');
		expect(error.message).toBe(`Begini reached your webhook, ${message}`);
		expect(error.description).toContain(hint);
		expect(error.detail).toEqual({ webhook_receiver_status_code: status, webhook_receiver_body_content: body });
	});

	it('an HTML page instead of JSON', () => {
		const error = failed(testEventOutcome({ statusCode: 502, contentType: 'text/html', text: '<html>Bad gateway</html>' }, test));
		expect(error.message).toBe('The API answered 502 with an HTML page instead of JSON');
	});
});

describe('redirects (never followed: the key would go along)', () => {
	const redirect = (statusCode: number, location: string, contentType = 'text/html'): HttpAnswer => ({
		statusCode,
		contentType,
		text: '<html>Moved</html>',
		location,
	});

	it.each([
		['session creation', 307, (answer: HttpAnswer) => sessionOutcome(answer, session)],
		['the test event', 302, (answer: HttpAnswer) => testEventOutcome(answer, test)],
		['the test event', 301, (answer: HttpAnswer) => testEventOutcome(answer, test)],
	])('%s: a %d is an error that names where it pointed', (_label, status, outcome) => {
		const error = failed(outcome(redirect(status, 'http://127.0.0.2:8080/v1/sessions-management/tokens')));
		expect(error).toMatchObject({
			httpCode: String(status),
			message: `The API Base URL answered with a redirect (${status}) to http://127.0.0.2:8080/v1/sessions-management/tokens`,
			description: expect.stringContaining('follows no redirects'),
		});
	});

	it('shows the target without user name, password or query', () => {
		const error = failed(sessionOutcome(redirect(307, 'https://user:hunter2@evil.example.com/x?api-key=k3y'), session));
		expect(error.message).toBe('The API Base URL answered with a redirect (307) to https://evil.example.com/x?…');
		expect(JSON.stringify(error)).not.toMatch(/hunter2|k3y/);
	});

	it('says so when a redirect names no target', () => {
		expect(failed(testEventOutcome(redirect(303, ''), test)).message).toBe('The API Base URL answered with a redirect (303) without a Location');
	});
});

describe('no answer', () => {
	it('a timeout names the wait and says the request may have arrived', () => {
		const error = transportFailure('ECONNABORTED', 30, 'https://api.begini.co');
		expect(error).toMatchObject({ httpCode: '', message: 'Begini did not answer within 30 seconds' });
		expect(error.description).toContain('may still have reached Begini');
	});

	it('never shows a user name or password of the base URL', () => {
		const error = transportFailure('ECONNREFUSED', 30, 'http://user:hunter2@127.0.0.1:1');
		expect(error.message).toBe('Could not connect to http://127.0.0.1:1 (connection refused)');
		expect(JSON.stringify(error)).not.toContain('hunter2');
	});

	it('a refused connection names the base URL', () => {
		expect(transportFailure('ECONNREFUSED', 30, 'http://127.0.0.1:5690').message).toBe(
			'Could not connect to http://127.0.0.1:5690 (connection refused)',
		);
	});
});

describe('retrying a session request', () => {
	it('only on a dropped connection or 502/503/504, never on a timeout or a 4xx', () => {
		expect(shouldRetrySession('ECONNRESET')).toBe(true);
		expect(shouldRetrySession('ECONNABORTED')).toBe(false);
		expect(shouldRetrySession(json(503, {}))).toBe(true);
		expect(shouldRetrySession(json(500, {}))).toBe(false);
		expect(shouldRetrySession(json(422, {}))).toBe(false);
		expect(shouldRetrySession(json(200, {}))).toBe(false);
	});
});

describe('detailText', () => {
	it('reads strings, FastAPI validation lists and objects', () => {
		expect(detailText('x')).toBe('x');
		expect(detailText([{ loc: ['body', 'uid'], msg: 'too short' }, { msg: 'bad' }])).toBe('body.uid: too short; bad');
		expect(detailText({ a: 1 })).toBe('{"a":1}');
	});
});
