import { createHmac } from 'crypto';
import type { IHttpRequestOptions } from 'n8n-workflow';
import { UserError } from 'n8n-workflow';

import { isWithinBaseUrl, shownUrl } from '../shared/urls';

/**
 * Where the Begini node's requests go and how the credential authenticates them; each operation names its own
 * endpoint and body. Begini documents one host; the base URL is a setting so that a local Begini sandbox can
 * stand in for it.
 */
export const DEFAULT_BASE_URL = 'https://api.begini.co';

export type SessionAuthentication = 'apiKey' | 'hmac';

/** The credential's API Base URL field, or Begini's when it is empty. */
export function configuredBaseUrl(value: unknown): string {
	return String(value ?? '') || DEFAULT_BASE_URL;
}

export function endpointUrl(baseUrl: string, path: string): string {
	return `${baseUrl.trim().replace(/\/+$/, '')}${path}`;
}

/** Lowercase hex HMAC-SHA512 of the body, keyed with the API key (Begini's "HMAC Authentication" page). */
export function signBody(body: string, apiKey: string): string {
	return createHmac('sha512', Buffer.from(apiKey, 'utf8')).update(Buffer.from(body, 'utf8')).digest('hex');
}

/** The URL a request goes to, with n8n's `baseURL` option applied; '' when it is not a URL. */
function requestUrl(options: IHttpRequestOptions): string {
	try {
		return options.baseURL === undefined ? new URL(options.url).href : new URL(options.url, options.baseURL).href;
	} catch {
		return '';
	}
}

/**
 * How the credential authenticates a request. A request with a body is signed (`X-Signature`, no key sent)
 * when the credential says Begini switched the deployment to HMAC; every other request carries the key in
 * `api-key`, as Begini documents. The body must already be the exact string that will be sent.
 *
 * The key, or a signature made with it, goes only to the credential's API Base URL: a request for any other
 * address (another node using this credential, a URL built wrongly) is refused before anything is added.
 */
export function authenticateRequest(
	apiKey: string,
	mode: SessionAuthentication,
	options: IHttpRequestOptions,
	baseUrl: string,
): IHttpRequestOptions {
	const url = requestUrl(options);
	if (!isWithinBaseUrl(url, baseUrl)) {
		throw new UserError(
			`The Begini API credential is only sent to its API Base URL (${shownUrl(baseUrl.trim())}), not to ${url === '' ? 'this request' : shownUrl(url)}`,
		);
	}
	const headers = { ...(options.headers ?? {}) };
	if (mode === 'hmac' && typeof options.body === 'string' && options.body !== '') {
		headers['X-Signature'] = signBody(options.body, apiKey);
	} else {
		headers['api-key'] = apiKey;
	}
	return { ...options, headers };
}
