/**
 * Webhook → Send Test Event: Begini delivers one real, signed test event to the webhook URL set for the key's
 * environment, and answers with what that URL answered. The file is named for what the operation checks, not
 * for its value: no path in the package may contain "test" (test/package/package.test.ts keeps tests out of it).
 */

import type { IDataObject, IExecuteFunctions, INodeProperties, INodePropertyOptions } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { endpointUrl } from '../../request';
import type { Deployment } from '../../transport';
import { itemOrError, send, timeoutOptions, timeoutSeconds } from '../../transport';
import { testEventOutcome } from './deliveryCheck.answers';

const TEST_WEBHOOK_PATH = '/v1/webhooks-management/test';
// The test API waits for Begini's delivery to your webhook before it answers.
const DEFAULT_TIMEOUT_SECONDS = 60;

export const operationOption: INodePropertyOptions = {
	name: 'Send Test Event',
	value: 'sendTestEvent',
	action: 'Send a test event to the configured webhook',
	description: "Ask Begini to deliver one real, signed test event to the webhook URL set for the key's environment",
};

const properties: INodeProperties[] = [
	timeoutOptions(DEFAULT_TIMEOUT_SECONDS, 'How long to wait for Begini, which answers only after its delivery to your webhook'),
];

export const description = updateDisplayOptions(
	{ show: { resource: ['webhook'], operation: ['sendTestEvent'] } },
	properties,
);

export async function execute(this: IExecuteFunctions, index: number, deployment: Deployment): Promise<IDataObject> {
	const seconds = timeoutSeconds(this, index, DEFAULT_TIMEOUT_SECONDS);
	// Never retried: every call makes Begini send a real delivery.
	const sent = await send(this, {
		method: 'POST',
		url: endpointUrl(deployment.baseUrl, TEST_WEBHOOK_PATH),
		headers: { Accept: 'application/json' },
		timeout: seconds * 1000,
	});
	const context = { environment: deployment.environment, testedAt: new Date().toISOString() };
	return itemOrError(this, index, sent, (answer) => testEventOutcome(answer, context), {
		seconds,
		baseUrl: deployment.baseUrl,
	});
}
