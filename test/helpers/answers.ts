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

/** The session the operation asked for, as session creation's answers are read against it. */
export const session = {
	uid: 'APP2026000123',
	integrationId: '65f1c2a9e4b0a1d2c3e4f5a6',
	environment: 'production',
	createdAt: '2026-04-15T10:00:00.000Z',
	uidWarning: null,
};
