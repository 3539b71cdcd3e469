/**
 * What Begini's answers mean whatever the operation: the shapes every operation's answers share, the answers
 * that mean the same on every endpoint (a redirect, an HTML page, 404, 429, 5xx), and no answer at all. Each
 * operation maps the rest in its own `*.answers.ts`. Begini does not publish every error body, so `detail` is
 * shown when present and a short excerpt of the raw body otherwise.
 * Nothing here sees the API key; errors carry only Begini's status and what Begini said.
 */

import type { IDataObject } from 'n8n-workflow';

import { shownUrl } from '../shared/urls';

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

export function excerpt(text: string): string {
	const flat = text.replace(/\s+/g, ' ').trim();
	return flat.length > EXCERPT_LENGTH ? `${flat.slice(0, EXCERPT_LENGTH)}…` : flat;
}

export function parseJson(answer: HttpAnswer): unknown {
	try {
		return JSON.parse(answer.text);
	} catch {
		return undefined;
	}
}

export function isObject(value: unknown): value is Record<string, unknown> {
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

/** An error that says what Begini said after `message`, and what to do in `description`. */
export function failure(answer: HttpAnswer, message: string, description: string): Outcome {
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

export const NOT_BEGINI =
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

/** Answers that mean the same on every endpoint, or null. */
export function commonFailure(answer: HttpAnswer): Outcome | null {
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

export const KEY_HELP =
	"Copy the key again from Beacon → Deployment Centre → your deployment → the Test or Production tab that matches the credential's Environment. Test and Production have different keys.";

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

