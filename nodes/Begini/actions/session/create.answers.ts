/**
 * Begini's answers to Session → Create (`POST /v1/sessions-management/tokens`), and when the request is sent
 * again. Begini documents only the meaning of this API's errors (401, 403, 422), not their bodies.
 */

import type { HttpAnswer, Outcome } from '../../answers';
import { commonFailure, excerpt, failure, isObject, KEY_HELP, NOT_BEGINI, parseJson } from '../../answers';

/** What the item says besides Begini's answer. */
export interface SessionContext {
	uid: string;
	integrationId: string;
	environment: string;
	createdAt: string;
	uidWarning: string | null;
}

/** The item for a created session, or an error that says what to fix. */
export function sessionOutcome(answer: HttpAnswer, context: SessionContext): Outcome {
	const { statusCode } = answer;
	if (statusCode === 200 || statusCode === 201) {
		const json = parseJson(answer);
		if (isObject(json) && typeof json.access_token === 'string' && typeof json.url === 'string') {
			return {
				ok: true,
				json: {
					uid: context.uid,
					accessToken: json.access_token,
					assessmentUrl: json.url,
					environment: context.environment,
					integrationId: context.integrationId,
					createdAt: context.createdAt,
					uidWarning: context.uidWarning,
				},
			};
		}
		const html = commonFailure(answer);
		if (html !== null) return html;
		return {
			ok: false,
			error: {
				httpCode: String(statusCode),
				message: `The API answered ${statusCode} without an access_token and url`,
				description: `${NOT_BEGINI} No session can be sent to the applicant from this answer.`,
				detail: json === undefined ? excerpt(answer.text) : json,
			},
		};
	}
	const common = commonFailure(answer);
	if (common !== null) return common;
	if (statusCode === 401 || statusCode === 400) {
		return failure(answer, `Begini refused the API key (${statusCode})`, `The key is missing or not valid. ${KEY_HELP}`);
	}
	if (statusCode === 403) {
		return failure(
			answer,
			'Begini says this API key may not create sessions for this integration (403)',
			`The integration ID (${context.integrationId}) and the API key must come from the same deployment and the same environment (Test or Production). ${KEY_HELP}`,
		);
	}
	if (statusCode === 422) {
		return failure(
			answer,
			'Begini refused the session request (422)',
			`Begini checks the uid (5 to 60 letters and digits, a new one for every assessment: add a prefix or suffix to re-score someone) and the integration ID (${context.integrationId}).`,
		);
	}
	if (statusCode === 503) {
		return failure(answer, 'Begini is unavailable (503)', 'Try again later.');
	}
	return failure(answer, `Begini answered ${statusCode}`, 'Begini documents 200, 401, 403 and 422 for this request.');
}

/**
 * A session request is retried once, at once and with the same uid, only when Begini cannot have acted on it
 * or says it could not: a dropped connection, or 502, 503 or 504. Never on a timeout (the wait would double) or a 4xx.
 */
export function shouldRetrySession(answerOrCode: HttpAnswer | string): boolean {
	if (typeof answerOrCode === 'string') return answerOrCode === 'ECONNRESET' || answerOrCode === 'EPIPE';
	return [502, 503, 504].includes(answerOrCode.statusCode);
}
