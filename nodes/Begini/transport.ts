/**
 * How every operation of the Begini node reaches Begini: the credential's deployment, one request through the
 * credential's `authenticate`, the Timeout option, and Begini's answer turned into the item or a node error.
 */

import type { IDataObject, IExecuteFunctions, IHttpRequestOptions, INodeProperties, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { baseUrlProblem } from '../shared/credentialCheck';
import { absoluteLocation } from '../shared/urls';
import type { AnswerError, HttpAnswer, Outcome } from './answers';
import { transportFailure } from './answers';
import { configuredBaseUrl } from './request';

/** Where the credential's requests go, and what the items say about them. */
export interface Deployment {
	baseUrl: string;
	integrationId: string;
	environment: string;
}

/** The credential's deployment; a base URL that may not receive the key is an error before anything is sent. */
export async function credentialDeployment(context: IExecuteFunctions, index: number): Promise<Deployment> {
	const credential = await context.getCredentials('beginiApi', index);
	const baseUrl = configuredBaseUrl(credential.baseUrl);
	const problem = baseUrlProblem(baseUrl);
	if (problem !== null) throw new NodeOperationError(context.getNode(), problem, { itemIndex: index });
	return {
		baseUrl,
		integrationId: String(credential.integrationId ?? ''),
		environment: credential.environment === 'test' ? 'test' : 'production',
	};
}

/** An HTTP answer, or the error code of a request that got none. */
type Sent = { answer: HttpAnswer } | { code: string };

/** The network error's code (ECONNREFUSED, ECONNABORTED, …), wherever n8n's wrapping put it. */
function errorCode(error: unknown): string {
	let current = error as { code?: unknown; cause?: unknown } | undefined;
	for (let depth = 0; current && depth < 4; depth++) {
		if (typeof current.code === 'string' && /^E[A-Z_]+$/.test(current.code)) return current.code;
		current = current.cause as typeof current;
	}
	return '';
}

/**
 * One request through the credential's `authenticate`; every HTTP status comes back to be mapped by the
 * operation. Redirects are not followed: n8n's HTTP client would send the `api-key` header (or the signed body)
 * on to whatever host a redirect names, so a 3xx comes back as an answer, and the answer is an error (see
 * `answers.ts`).
 */
export async function send(context: IExecuteFunctions, options: IHttpRequestOptions): Promise<Sent> {
	let response: { statusCode: number; headers?: IDataObject; body?: unknown };
	try {
		response = await context.helpers.httpRequestWithAuthentication.call(context, 'beginiApi', {
			...options,
			disableFollowRedirect: true,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			encoding: 'text',
			json: false,
		});
	} catch (error) {
		// Only the code is kept: the raw error carries the request, and so the key.
		return { code: errorCode(error) };
	}
	const body = response.body;
	return {
		answer: {
			statusCode: response.statusCode,
			contentType: String(response.headers?.['content-type'] ?? ''),
			text: typeof body === 'string' ? body : body === undefined ? '' : JSON.stringify(body),
			location: absoluteLocation(response.headers?.location, options.url),
		},
	};
}

/**
 * An operation's Options collection with its Timeout option, which `timeoutSeconds` reads: one place for the
 * option's name, whatever the operation.
 */
export function timeoutOptions(defaultSeconds: number, description: string): INodeProperties {
	return {
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Timeout (Seconds)',
				name: 'timeoutSeconds',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: defaultSeconds,
				description,
			},
		],
	};
}

/** The operation's Timeout option, or its default when it is unset or not a positive number. */
export function timeoutSeconds(context: IExecuteFunctions, index: number, fallback: number): number {
	const seconds = Number((context.getNodeParameter('options', index, {}) as IDataObject).timeoutSeconds);
	return Number.isFinite(seconds) && seconds > 0 ? seconds : fallback;
}

function apiError(context: IExecuteFunctions, error: AnswerError, index: number): NodeApiError {
	return new NodeApiError(context.getNode(), { httpCode: error.httpCode, detail: error.detail } as JsonObject, {
		message: error.message,
		description: error.description,
		httpCode: error.httpCode === '' ? undefined : error.httpCode,
		itemIndex: index,
	});
}

/** What was sent became: the item's JSON, as the operation's `map` reads the answer, or a node error. */
export function itemOrError(
	context: IExecuteFunctions,
	index: number,
	sent: Sent,
	map: (answer: HttpAnswer) => Outcome,
	request: { seconds: number; baseUrl: string },
): IDataObject {
	const outcome: Outcome =
		'code' in sent ? { ok: false, error: transportFailure(sent.code, request.seconds, request.baseUrl) } : map(sent.answer);
	if (!outcome.ok) throw apiError(context, outcome.error, index);
	return outcome.json;
}
