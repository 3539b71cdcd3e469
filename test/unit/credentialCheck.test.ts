import { baseUrlProblem, integrationIdProblem, testBeginiCredential } from '../../nodes/shared/credentialCheck';

const good = { apiKey: 'bgn_live_8f2c1e', environment: 'production' };

describe('the Begini API credential test (local, sends nothing)', () => {
	it('accepts a well-formed key, with or without the Begini node fields', () => {
		expect(testBeginiCredential(good).status).toBe('OK');
		expect(
			testBeginiCredential({ ...good, integrationId: '65f1c2a9e4b0a1d2c3e4f5a6', baseUrl: 'http://127.0.0.1:5690' })
				.status,
		).toBe('OK');
	});

	it.each([
		['an empty key', { apiKey: '' }, 'API Key is empty'],
		['a key with a space', { apiKey: 'bgn live' }, 'API Key contains a space'],
		['a padded previous key', { previousApiKey: ' old' }, 'Previous API Key starts or ends'],
		['a padded integration ID', { integrationId: ' 65f1' }, 'Integration ID contains a space'],
		['a plain-http base URL', { baseUrl: 'http://api.begini.co' }, 'must start with https://'],
	])('refuses %s', (_label, change, message) => {
		expect(testBeginiCredential({ ...good, ...change })).toEqual({ status: 'Error', message: expect.stringContaining(message) });
	});

	it('refuses a user name or password in the base URL, and never repeats them', () => {
		for (const baseUrl of ['http://user:hunter2@127.0.0.1:1', 'https://hunter2@api.begini.co', 'https://:hunter2@api.begini.co']) {
			const result = testBeginiCredential({ ...good, baseUrl });
			expect(result).toEqual({ status: 'Error', message: expect.stringContaining('contains a user name or password') });
			expect(JSON.stringify(result)).not.toContain('hunter2');
		}
	});

	it('never repeats the key', () => {
		expect(JSON.stringify(testBeginiCredential({ apiKey: '"secret-value-123"' }))).not.toContain('secret-value-123');
	});
});

describe('credential fields', () => {
	it.each(['https://api.begini.co', 'https://proxy.example.com/begini/', 'http://127.0.0.1:5690', 'http://localhost:5690'])(
		'accepts the base URL %s',
		(url) => expect(baseUrlProblem(url)).toBeNull(),
	);

	it.each([
		['', 'empty'],
		['api.begini.co', 'not a URL'],
		['http://api.begini.co', 'must start with https://'],
		['ftp://127.0.0.1', 'must start with https://'],
	])('refuses the base URL "%s"', (url, problem) => expect(baseUrlProblem(url)).toContain(problem));

	it('accepts an empty or one-word integration ID and refuses a padded one', () => {
		expect(integrationIdProblem('')).toBeNull();
		expect(integrationIdProblem('65f1c2a9e4b0a1d2c3e4f5a6')).toBeNull();
		expect(integrationIdProblem('65f1c2a9e4b0a1d2c3e4f5a6\n')).toContain('space or line break');
	});
});
