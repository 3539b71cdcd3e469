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
