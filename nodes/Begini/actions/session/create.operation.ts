/**
 * Session → Create: an assessment session for one applicant, and the link to send them. The uid is checked
 * against Begini's rules before anything is sent; the request is sent again once when Begini cannot have acted
 * on it (see `create.answers.ts`).
 */

import type {
	IDataObject,
	IExecuteFunctions,
	IHttpRequestOptions,
	INodeProperties,
	INodePropertyOptions,
} from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { endpointUrl } from '../../request';
import type { Deployment } from '../../transport';
import { itemOrError, send, timeoutOptions, timeoutSeconds } from '../../transport';
import { sessionOutcome, shouldRetrySession } from './create.answers';
import { checkUid } from './uid';

export const SESSION_PATH = '/v1/sessions-management/tokens';
const DEFAULT_TIMEOUT_SECONDS = 30;

export const operationOption: INodePropertyOptions = {
	name: 'Create',
	value: 'create',
	action: 'Create an assessment session',
	description: 'Create an assessment session for an applicant and get the link to send them',
};

const properties: INodeProperties[] = [
	{
		displayName: 'UID',
		name: 'uid',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. APP2026000123',
		description:
			'Your own ID for this assessment: 5 to 60 letters and digits, no names, e-mail addresses, national IDs or birth dates. Use a new one for every assessment (add a prefix or suffix to re-score someone). Begini sends it back in every webhook.',
	},
	{
		displayName: 'Integration ID',
		name: 'integrationId',
		type: 'string',
		default: '',
		description:
			"Leave empty to use the credential's Integration ID. It must belong to the same deployment and environment as the credential's key.",
	},
	timeoutOptions(DEFAULT_TIMEOUT_SECONDS, 'How long to wait for Begini to answer'),
];

export const description = updateDisplayOptions({ show: { resource: ['session'], operation: ['create'] } }, properties);

/** The exact bytes sent: compact JSON, so that an HMAC signature covers precisely what Begini receives. */
export function sessionRequestBody(uid: string, integrationId: string): string {
	return JSON.stringify({ uid, integration_id: integrationId });
}

export async function execute(this: IExecuteFunctions, index: number, deployment: Deployment): Promise<IDataObject> {
	const uid = checkUid(this.getNodeParameter('uid', index));
	if (!uid.ok) throw new NodeOperationError(this.getNode(), uid.problem, { itemIndex: index });
	const integrationId = String(this.getNodeParameter('integrationId', index, '') || deployment.integrationId).trim();
	if (integrationId === '') {
		throw new NodeOperationError(this.getNode(), 'No integration ID', {
			itemIndex: index,
			description:
				"Set the Integration ID in the Begini API credential (Beacon → Deployment Centre → your deployment → Test or Production tab), or in the node's Integration ID field.",
		});
	}
	const seconds = timeoutSeconds(this, index, DEFAULT_TIMEOUT_SECONDS);
	const createdAt = new Date().toISOString();
	const request: IHttpRequestOptions = {
		method: 'POST',
		url: endpointUrl(deployment.baseUrl, SESSION_PATH),
		headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
		body: sessionRequestBody(uid.uid, integrationId),
		timeout: seconds * 1000,
	};
	let sent = await send(this, request);
	if (shouldRetrySession('code' in sent ? sent.code : sent.answer)) sent = await send(this, request);
	const context = {
		uid: uid.uid,
		integrationId,
		environment: deployment.environment,
		createdAt,
		uidWarning: uid.warning,
	};
	return itemOrError(this, index, sent, (answer) => sessionOutcome(answer, context), {
		seconds,
		baseUrl: deployment.baseUrl,
	});
}
