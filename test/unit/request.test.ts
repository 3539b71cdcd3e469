import { SESSION_PATH, sessionRequestBody } from '../../nodes/Begini/actions/session/create.operation';
import { authenticateRequest, endpointUrl, signBody } from '../../nodes/Begini/request';

// Computed with Python, independently of the code under test:
//   hmac.new(b'sandbox-production-key-0123456789abcdef', body.encode(), hashlib.sha512).hexdigest()
const KEY = 'sandbox-production-key-0123456789abcdef';
const BODY = '{"uid":"APP2026000123","integration_id":"65f1c2a9e4b0a1d2c3e4f5a6"}';
const PYTHON_SIGNATURE =
	'7ca20c1b8e1637a97245090fe71e1ab8f297dfb37890159b484dc623d92f2de03ee5e5d5982a07fde481c597cee6f2f2b4fd25dd86aca50f249e50c9df92a90b';

describe('session request', () => {
	it('is compact JSON with exactly uid and integration_id', () => {
		expect(sessionRequestBody('APP2026000123', '65f1c2a9e4b0a1d2c3e4f5a6')).toBe(BODY);
	});

	it('goes to the session endpoint under the base URL, whatever its trailing slashes', () => {
		expect(endpointUrl('https://api.begini.co', SESSION_PATH)).toBe('https://api.begini.co/v1/sessions-management/tokens');
		expect(endpointUrl('http://127.0.0.1:5690//', SESSION_PATH)).toBe('http://127.0.0.1:5690/v1/sessions-management/tokens');
	});

	it('is signed as Python signs it: hex HMAC-SHA512 of the exact bytes, keyed with the API key', () => {
		expect(signBody(BODY, KEY)).toBe(PYTHON_SIGNATURE);
	});
});

describe('authenticateRequest (the credential)', () => {
	const request = { method: 'POST' as const, url: 'https://api.begini.co/x', headers: { Accept: 'application/json' } };
	const BASE = 'https://api.begini.co';

	it('sends the key in the api-key header by default', () => {
		expect(authenticateRequest(KEY, 'apiKey', { ...request, body: BODY }, BASE).headers).toEqual({
			Accept: 'application/json',
			'api-key': KEY,
		});
	});

	it('in HMAC mode signs the body that is sent and does not send the key', () => {
		const signed = authenticateRequest(KEY, 'hmac', { ...request, body: BODY }, BASE);
		expect(signed.headers).toEqual({ Accept: 'application/json', 'X-Signature': PYTHON_SIGNATURE });
		expect(signed.body).toBe(BODY);
		expect(JSON.stringify(signed)).not.toContain(KEY);
	});

	it('in HMAC mode still sends the key with a request without a body (the test API takes api-key only)', () => {
		expect(authenticateRequest(KEY, 'hmac', request, BASE).headers).toEqual({ Accept: 'application/json', 'api-key': KEY });
	});

	it('does not change the options it was given', () => {
		const options = { ...request, body: BODY };
		authenticateRequest(KEY, 'apiKey', options, BASE);
		expect(options.headers).toEqual({ Accept: 'application/json' });
	});

	it.each([
		['another host', { url: 'https://evil.example.com/v1/sessions-management/tokens' }],
		['a downgrade to http', { url: 'http://api.begini.co/x' }],
		['a host that starts like it', { url: 'https://api.begini.co.evil.example.com/x' }],
		["n8n's baseURL option pointing elsewhere", { url: '/x', baseURL: 'https://evil.example.com' }],
		['a URL that does not parse', { url: '/x' }],
	])('adds neither key nor signature to a request for %s, and says so without the key', (_label, change) => {
		for (const mode of ['apiKey', 'hmac'] as const) {
			let thrown: unknown;
			try {
				authenticateRequest(KEY, mode, { ...request, ...change, body: BODY }, BASE);
			} catch (error) {
				thrown = error;
			}
			expect(thrown).toBeInstanceOf(Error);
			expect((thrown as Error).message).toContain('only sent to its API Base URL (https://api.begini.co)');
			expect(JSON.stringify(thrown) + (thrown as Error).message).not.toContain(KEY);
		}
	});

	it("accepts n8n's baseURL option when it is the credential's", () => {
		expect(authenticateRequest(KEY, 'apiKey', { ...request, url: '/v1/x', baseURL: BASE }, BASE).headers).toHaveProperty('api-key', KEY);
	});
});
