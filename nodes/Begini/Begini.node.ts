import type {
	IDataObject,
	IExecuteFunctions,
	IHttpRequestOptions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	JsonObject,
} from 'n8n-workflow';
import { NodeApiError, NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import { baseUrlProblem, beginiCredentialTest } from '../shared/credentialCheck';
import { absoluteLocation } from '../shared/urls';
import { sessionOutcome, shouldRetrySession } from './actions/session/create.answers';
import { checkUid } from './actions/session/uid';
import { testEventOutcome } from './actions/webhook/sendTestEvent.answers';
import type { AnswerError, HttpAnswer, Outcome } from './answers';
import { transportFailure } from './answers';
import {
	beginiProperties,
	DEFAULT_SESSION_TIMEOUT_SECONDS,
	DEFAULT_TEST_EVENT_TIMEOUT_SECONDS,
} from './description';
import {
	configuredBaseUrl,
	endpointUrl,
	SESSION_PATH,
	sessionRequestBody,
	TEST_WEBHOOK_PATH,
} from './request';

interface Deployment {
	baseUrl: string;
	integrationId: string;
	environment: string;
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
 * One request through the credential's `authenticate`; every HTTP status comes back to be mapped here. Redirects
 * are not followed: n8n's HTTP client would send the `api-key` header (or the signed body) on to whatever host
 * a redirect names, so a 3xx comes back as an answer, and the answer is an error (see `answers.ts`).
 */
async function send(context: IExecuteFunctions, options: IHttpRequestOptions): Promise<Sent> {
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

function timeoutSeconds(context: IExecuteFunctions, index: number, fallback: number): number {
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

/** Errors this node raises pass as they are; anything else (say, a missing credential) is wrapped. */
function asNodeError(context: IExecuteFunctions, error: unknown, index: number): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) return error;
	return new NodeOperationError(context.getNode(), error as Error, { itemIndex: index });
}

function outcomeOrFailure(sent: Sent, map: (answer: HttpAnswer) => Outcome, seconds: number, baseUrl: string): Outcome {
	if ('code' in sent) return { ok: false, error: transportFailure(sent.code, seconds, baseUrl) };
	return map(sent.answer);
}

async function createSession(context: IExecuteFunctions, index: number, deployment: Deployment): Promise<IDataObject> {
	const uid = checkUid(context.getNodeParameter('uid', index));
	if (!uid.ok) throw new NodeOperationError(context.getNode(), uid.problem, { itemIndex: index });
	const integrationId = String(context.getNodeParameter('integrationId', index, '') || deployment.integrationId).trim();
	if (integrationId === '') {
		throw new NodeOperationError(context.getNode(), 'No integration ID', {
			itemIndex: index,
			description:
				"Set the Integration ID in the Begini API credential (Beacon → Deployment Centre → your deployment → Test or Production tab), or in the node's Integration ID field.",
		});
	}
	const seconds = timeoutSeconds(context, index, DEFAULT_SESSION_TIMEOUT_SECONDS);
	const createdAt = new Date().toISOString();
	const request: IHttpRequestOptions = {
		method: 'POST',
		url: endpointUrl(deployment.baseUrl, SESSION_PATH),
		headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
		body: sessionRequestBody(uid.uid, integrationId),
		timeout: seconds * 1000,
	};
	let sent = await send(context, request);
	if (shouldRetrySession('code' in sent ? sent.code : sent.answer)) sent = await send(context, request);
	const outcome = outcomeOrFailure(
		sent,
		(answer) =>
			sessionOutcome(answer, {
				uid: uid.uid,
				integrationId,
				environment: deployment.environment,
				createdAt,
				uidWarning: uid.warning,
			}),
		seconds,
		deployment.baseUrl,
	);
	if (!outcome.ok) throw apiError(context, outcome.error, index);
	return outcome.json;
}

async function sendTestEvent(context: IExecuteFunctions, index: number, deployment: Deployment): Promise<IDataObject> {
	const seconds = timeoutSeconds(context, index, DEFAULT_TEST_EVENT_TIMEOUT_SECONDS);
	// Never retried: every call makes Begini send a real delivery.
	const sent = await send(context, {
		method: 'POST',
		url: endpointUrl(deployment.baseUrl, TEST_WEBHOOK_PATH),
		headers: { Accept: 'application/json' },
		timeout: seconds * 1000,
	});
	const testedAt = new Date().toISOString();
	const outcome = outcomeOrFailure(
		sent,
		(answer) => testEventOutcome(answer, { environment: deployment.environment, testedAt }),
		seconds,
		deployment.baseUrl,
	);
	if (!outcome.ok) throw apiError(context, outcome.error, index);
	return outcome.json;
}

export class Begini implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Begini',
		name: 'begini',
		icon: { light: 'file:begini.svg', dark: 'file:begini.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["operation"] === "sendTestEvent" ? "Send test event" : "Create session" }}',
		description: 'Create Begini assessment sessions and test webhook delivery',
		defaults: { name: 'Begini' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		usableAsTool: true,
		credentials: [{ name: 'beginiApi', required: true, testedBy: 'beginiApiKeyCheck' }],
		properties: beginiProperties,
	};

	methods = { credentialTest: beginiCredentialTest };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const output: INodeExecutionData[] = [];
		for (let index = 0; index < items.length; index++) {
			try {
				const credential = await this.getCredentials('beginiApi', index);
				const baseUrl = configuredBaseUrl(credential.baseUrl);
				const problem = baseUrlProblem(baseUrl);
				if (problem !== null) throw new NodeOperationError(this.getNode(), problem, { itemIndex: index });
				const deployment: Deployment = {
					baseUrl,
					integrationId: String(credential.integrationId ?? ''),
					environment: credential.environment === 'test' ? 'test' : 'production',
				};
				const resource = this.getNodeParameter('resource', index) as string;
				const json =
					resource === 'webhook'
						? await sendTestEvent(this, index, deployment)
						: await createSession(this, index, deployment);
				output.push({ json, pairedItem: { item: index } });
			} catch (error) {
				const failure = asNodeError(this, error, index);
				if (!this.continueOnFail()) throw failure;
				const { message, description } = failure;
				const httpCode = failure instanceof NodeApiError ? failure.httpCode : null;
				output.push({
					json: { error: message, description: description ?? null, httpCode: httpCode ?? null },
					pairedItem: { item: index },
				});
			}
		}
		return [output];
	}
}
