import { createHmac } from 'crypto';
import type { IHttpRequestOptions } from 'n8n-workflow';

/**
 * What the Begini node sends: the endpoints, the exact session body, and how a request is authenticated.
 * Begini documents one host; the base URL is a setting so that a local Begini sandbox can stand in for it.
 */
export const DEFAULT_BASE_URL = 'https://api.begini.co';
export const SESSION_PATH = '/v1/sessions-management/tokens';
export const TEST_WEBHOOK_PATH = '/v1/webhooks-management/test';

export type SessionAuthentication = 'apiKey' | 'hmac';

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** A base URL must be HTTPS; plain HTTP only on this machine (a local sandbox). */
export function baseUrlProblem(value: unknown): string | null {
	if (typeof value !== 'string' || value.trim() === '') return 'API Base URL is empty';
	let url: URL;
	try {
		url = new URL(value.trim());
	} catch {
		return 'API Base URL is not a URL; use https://api.begini.co';
	}
	if (url.protocol === 'https:') return null;
	if (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname)) return null;
	return 'API Base URL must start with https:// (plain http:// only for a sandbox on this machine)';
}

/** The integration ID is optional in the credential (the trigger does not need it), but never padded. */
export function integrationIdProblem(value: unknown): string | null {
	if (typeof value !== 'string' || value === '') return null;
	if (/\s/.test(value)) return 'Integration ID contains a space or line break; paste it as one word';
	return null;
}

export function endpointUrl(baseUrl: string, path: string): string {
	return `${baseUrl.trim().replace(/\/+$/, '')}${path}`;
}

/** The exact bytes sent: compact JSON, so that an HMAC signature covers precisely what Begini receives. */
export function sessionRequestBody(uid: string, integrationId: string): string {
	return JSON.stringify({ uid, integration_id: integrationId });
}

/** Lowercase hex HMAC-SHA512 of the body, keyed with the API key (Begini's "HMAC Authentication" page). */
export function signBody(body: string, apiKey: string): string {
	return createHmac('sha512', Buffer.from(apiKey, 'utf8')).update(Buffer.from(body, 'utf8')).digest('hex');
}

/**
 * How the credential authenticates a request. A request with a body is signed (`X-Signature`, no key sent)
 * when the credential says Begini switched the deployment to HMAC; every other request carries the key in
 * `api-key`, as Begini documents. The body must already be the exact string that will be sent.
 */
export function authenticateRequest(
	apiKey: string,
	mode: SessionAuthentication,
	options: IHttpRequestOptions,
): IHttpRequestOptions {
	const headers = { ...(options.headers ?? {}) };
	if (mode === 'hmac' && typeof options.body === 'string' && options.body !== '') {
		headers['X-Signature'] = signBody(options.body, apiKey);
	} else {
		headers['api-key'] = apiKey;
	}
	return { ...options, headers };
}
