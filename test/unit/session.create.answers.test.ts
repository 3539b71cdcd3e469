import { sessionOutcome, shouldRetrySession } from '../../nodes/Begini/actions/session/create.answers';
import { failed, json, session } from '../helpers/answers';


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
