import { apiKeyProblem } from '../../nodes/shared/credentialCheck';

describe('apiKeyProblem', () => {
	it('accepts a plain key', () => {
		expect(apiKeyProblem('API Key', 'bgn_live_8f2c1e', true)).toBeNull();
	});

	it('requires the key only when asked to', () => {
		expect(apiKeyProblem('API Key', '', true)).toBe('API Key is empty');
		expect(apiKeyProblem('Previous API Key', '', false)).toBeNull();
	});

	it.each([
		['a trailing newline', 'bgn_live_8f2c1e\n', 'starts or ends with a space or line break'],
		['a leading space', ' bgn_live_8f2c1e', 'starts or ends with a space or line break'],
		['a Windows line ending', 'bgn_live_8f2c1e\r\n', 'starts or ends with a space or line break'],
		['double quotes', '"bgn_live_8f2c1e"', 'wrapped in quotes'],
		['single quotes', "'bgn_live_8f2c1e'", 'wrapped in quotes'],
		['an inner space', 'bgn_live 8f2c1e', 'contains a space or line break'],
	])('explains %s', (_label, key, problem) => {
		expect(apiKeyProblem('API Key', key, true)).toContain(problem);
	});

	it('never repeats the key in its message', () => {
		const key = '"secret-value-123"';
		expect(apiKeyProblem('API Key', key, true)).not.toContain('secret-value-123');
	});
});
