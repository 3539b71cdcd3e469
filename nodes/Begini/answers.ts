import type { IDataObject } from 'n8n-workflow';

import { shownUrl } from '../shared/urls';

/**
 * Begini's answers, turned into an output item or into an error that says what to fix. Begini publishes the
 * test API's answers (200, 400, 403, 422, 424, 503) and only the meaning of the session API's errors (401, 403,
 * 422), not their bodies, so `detail` is shown when present and a short excerpt of the raw body otherwise.
 * Nothing here sees the API key; errors carry only Begini's status and what Begini said.
 */
export interface HttpAnswer {
	statusCode: number;
	contentType: string;
	/** The body as text, exactly as received. */
	text: string;
	/** A redirect's target, absolute; '' when the answer names none. */
	location?: string;
}

export interface AnswerError {
	/** Begini's HTTP status, or '' when no answer came. */
	httpCode: string;
	message: string;
	description: string;
	/** What Begini said, for the error's details: its `detail`, or an excerpt of the body. */
	detail: unknown;
}

export type Outcome = { ok: true; json: IDataObject } | { ok: false; error: AnswerError };

const EXCERPT_LENGTH = 300;

export interface SessionContext {
	uid: string;
	integrationId: string;
	environment: string;
	createdAt: string;
	uidWarning: string | null;
}

export interface TestEventContext {
	environment: string;
	testedAt: string;
}

function excerpt(text: string): string {
	const flat = text.replace(/\s+/g, ' ').trim();
	return flat.length > EXCERPT_LENGTH ? `${flat.slice(0, EXCERPT_LENGTH)}…` : flat;
}

function parseJson(answer: HttpAnswer): unknown {
	try {
		return JSON.parse(answer.text);
	} catch {
		return undefined;
	}
}

function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function looksLikeHtml(answer: HttpAnswer): boolean {
	return /html/i.test(answer.contentType) || /^\s*</.test(answer.text);
}

/** Begini's `detail` as one line: a string as is, FastAPI-style validation errors by their `msg`. */
export function detailText(detail: unknown): string {
	if (typeof detail === 'string') return detail;
	if (Array.isArray(detail)) {
		const messages = detail.map((entry) =>
			isObject(entry) && typeof entry.msg === 'string'
				? `${Array.isArray(entry.loc) ? `${entry.loc.join('.')}: ` : ''}${entry.msg}`
				: JSON.stringify(entry),
		);
		return messages.join('; ');
	}
	return detail === undefined ? '' : JSON.stringify(detail);
}

/** What Begini said, and whether it was JSON at all. */
function said(answer: HttpAnswer): { detail: unknown; text: string } {
	const json = parseJson(answer);
	if (isObject(json) && 'detail' in json) return { detail: json.detail, text: excerpt(detailText(json.detail)) };
	if (json !== undefined) return { detail: json, text: excerpt(JSON.stringify(json)) };
	return { detail: excerpt(answer.text), text: excerpt(answer.text) };
}

function failure(answer: HttpAnswer, message: string, description: string): Outcome {
	const { detail, text } = said(answer);
	return {
		ok: false,
		error: {
			httpCode: String(answer.statusCode),
			message: text === '' ? message : `${message}: ${text}`,
			description,
			detail,
		},
	};
}

const NOT_BEGINI =
	"This is not Begini's API answering. Check the credential's API Base URL (https://api.begini.co unless you use a sandbox or a proxy).";

/**
 * A redirect is never followed (the API key would go along to wherever it points, and Begini documents none):
 * it is an error that says where it pointed, shown without user name, password or query.
 */
function redirectFailure(answer: HttpAnswer): Outcome {
	const target = answer.location ? shownUrl(answer.location) : '';
	return {
		ok: false,
		error: {
			httpCode: String(answer.statusCode),
			message: `The API Base URL answered with a redirect (${answer.statusCode}) ${target ? `to ${target}` : 'without a Location'}`,
			description:
				"The Begini node follows no redirects, so that the API key reaches the API Base URL and nothing else. Set the credential's API Base URL to the address the API answers at (https://api.begini.co unless you use a sandbox or a proxy).",
			detail: { location: target },
		},
	};
}

/** Answers that mean the same on both endpoints, or null. */
function commonFailure(answer: HttpAnswer): Outcome | null {
	const { statusCode } = answer;
	if (statusCode >= 300 && statusCode < 400) return redirectFailure(answer);
	if (looksLikeHtml(answer)) {
		return {
			ok: false,
			error: {
				httpCode: String(statusCode),
				message: `The API answered ${statusCode} with an HTML page instead of JSON`,
				description: NOT_BEGINI,
				detail: excerpt(answer.text),
			},
		};
	}
	if (statusCode === 404 || statusCode === 405) {
		return failure(answer, `The API answered ${statusCode} (not found)`, NOT_BEGINI);
	}
	if (statusCode === 429) {
		return failure(answer, 'Begini is limiting requests (429)', 'Send fewer requests at once and try again later.');
	}
	if (statusCode >= 500 && statusCode !== 503) {
		return failure(
			answer,
			`Begini had a problem (${statusCode})`,
			'Begini could not handle the request. Try again later; if it persists, contact Begini support with the time of the request.',
		);
	}
	return null;
}

const KEY_HELP =
	"Copy the key again from Beacon → Deployment Centre → your deployment → the Test or Production tab that matches the credential's Environment. Test and Production have different keys.";

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

const RECEIVER_HINTS: Record<number, string> = {
	401: 'Begini Trigger refuses deliveries whose signature does not match its credential: the Begini API credential in n8n must hold this environment’s API key.',
	403: 'The receiver refused the delivery; if it checks signatures, it must use this environment’s API key.',
	404: 'Nothing active listens at that URL. Activate the workflow and paste its Production URL into Begini (or click "Listen for test event" and use the Test URL).',
	409: 'Begini Trigger answers 409 while an identical delivery is still being stored; Begini retries it.',
	500: 'The receiver failed while handling the delivery; look at its log (in n8n: the workflow’s executions).',
};

/** The test API reports what the receiver answered; a receiver must answer exactly 200. */
function receiverFailure(answer: HttpAnswer, detail: Record<string, unknown>): Outcome {
	const receiverStatus = Number(detail.webhook_receiver_status_code);
	const receiverBody = excerpt(String(detail.webhook_receiver_body_content ?? ''));
	const hint =
		RECEIVER_HINTS[receiverStatus] ??
		(receiverStatus >= 200 && receiverStatus < 300
			? 'Begini counts only HTTP 200 as delivered: answer exactly 200 (not 201 or 204) with a body.'
			: 'Begini counts only HTTP 200 as delivered.');
	return {
		ok: false,
		error: {
			httpCode: String(answer.statusCode),
			message: `Begini reached your webhook, which answered ${Number.isFinite(receiverStatus) ? receiverStatus : 'something other than 200'}${receiverBody ? `: ${receiverBody}` : ''}`,
			description: hint,
			detail,
		},
	};
}

export function testEventOutcome(answer: HttpAnswer, context: TestEventContext): Outcome {
	const { statusCode } = answer;
	const json = parseJson(answer);
	if (statusCode === 200 && isObject(json)) {
		return {
			ok: true,
			json: {
				delivered: true,
				receiverStatusCode: typeof json.webhook_receiver_status_code === 'number' ? json.webhook_receiver_status_code : 200,
				detail: detailText(json.detail),
				environment: context.environment,
				testedAt: context.testedAt,
			},
		};
	}
	const common = commonFailure(answer);
	if (common !== null) return common;
	if (statusCode === 400) {
		return failure(answer, 'Begini received no API key (400)', `The credential's API Key is empty. ${KEY_HELP}`);
	}
	if (statusCode === 401 || statusCode === 403) {
		return failure(answer, `Begini refused the API key (${statusCode})`, `The key is not valid or not registered. ${KEY_HELP}`);
	}
	if (statusCode === 422) {
		const detail = isObject(json) ? json.detail : undefined;
		if (isObject(detail)) return receiverFailure(answer, detail);
		return failure(answer, 'Begini reached your webhook, which did not answer 200 (422)', 'Begini counts only HTTP 200 as delivered.');
	}
	if (statusCode === 424) {
		return failure(
			answer,
			'No webhook URL is set for this environment in Begini (424)',
			`Copy the Begini Trigger's Production URL and paste it into Beacon → Deployment Centre → your deployment → the ${context.environment === 'test' ? 'Test' : 'Production'} tab → Webservice Endpoint URL, then save there.`,
		);
	}
	if (statusCode === 503) {
		return failure(
			answer,
			'Begini could not reach your webhook (503)',
			"The Webservice Endpoint URL set in Begini must be reachable from the internet over HTTPS: a localhost or private address, a firewall or a stopped n8n can't be reached.",
		);
	}
	return failure(answer, `Begini answered ${statusCode}`, 'Begini documents 200, 400, 403, 422, 424 and 503 for this request.');
}

const NETWORK_ERRORS: Record<string, string> = {
	ECONNREFUSED: 'connection refused',
	ECONNRESET: 'connection dropped',
	EPIPE: 'connection dropped',
	ENOTFOUND: 'host not found',
	EAI_AGAIN: 'host not found',
	EHOSTUNREACH: 'host unreachable',
	ENETUNREACH: 'network unreachable',
};

/** No answer at all: a timeout, a refused or broken connection, an unknown host. */
export function transportFailure(code: string, timeoutSeconds: number, baseUrl: string): AnswerError {
	const timedOut = ['ETIMEDOUT', 'ECONNABORTED', 'ESOCKETTIMEDOUT'].includes(code);
	if (timedOut) {
		return {
			httpCode: '',
			message: `Begini did not answer within ${timeoutSeconds} seconds`,
			description:
				'The request may still have reached Begini. Raise the node\'s Timeout option, or try again later; for a session, re-sending the same uid is what Begini\'s docs allow (see "Retries" in the node\'s README).',
			detail: { code },
		};
	}
	return {
		httpCode: '',
		// In words: n8n replaces a message that contains a code such as ECONNREFUSED with a generic one.
		message: `Could not connect to ${shownUrl(baseUrl)} (${NETWORK_ERRORS[code] ?? 'no answer'})`,
		description: "Check the credential's API Base URL and n8n's network access to it.",
		detail: { code },
	};
}

/**
 * A session request is retried once, at once and with the same uid, only when Begini cannot have acted on it
 * or says it could not: a dropped connection, or 502, 503 or 504. Never on a timeout (the wait would double) or a 4xx.
 */
export function shouldRetrySession(answerOrCode: HttpAnswer | string): boolean {
	if (typeof answerOrCode === 'string') return answerOrCode === 'ECONNRESET' || answerOrCode === 'EPIPE';
	return [502, 503, 504].includes(answerOrCode.statusCode);
}
