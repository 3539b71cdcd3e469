/** The answers every operation shares (`nodes/Begini/answers.ts`), through each operation that meets them. */

import type { HttpAnswer } from '../../nodes/Begini/answers';
import { detailText, transportFailure } from '../../nodes/Begini/answers';
import { sessionOutcome } from '../../nodes/Begini/actions/session/create.answers';
import { testEventOutcome } from '../../nodes/Begini/actions/webhook/deliveryCheck.answers';
import { failed, session } from '../helpers/answers';

const test = { environment: 'test', testedAt: '2026-04-15T10:00:00.000Z' };

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

describe('detailText', () => {
	it('reads strings, FastAPI validation lists and objects', () => {
		expect(detailText('x')).toBe('x');
		expect(detailText([{ loc: ['body', 'uid'], msg: 'too short' }, { msg: 'bad' }])).toBe('body.uid: too short; bad');
		expect(detailText({ a: 1 })).toBe('{"a":1}');
	});
});
