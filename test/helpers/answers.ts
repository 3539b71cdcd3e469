/** Begini's answers as the unit tests of `answers.ts` and the operations' `*.answers.ts` write them. */

import type { HttpAnswer, Outcome } from '../../nodes/Begini/answers';

export const json = (statusCode: number, body: unknown): HttpAnswer => ({
	statusCode,
	contentType: 'application/json',
	text: JSON.stringify(body),
});

export function failed(outcome: Outcome) {
	if (outcome.ok) throw new Error(`expected an error, got ${JSON.stringify(outcome.json)}`);
	return outcome.error;
}
