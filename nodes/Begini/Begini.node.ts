/**
 * The Begini node: its description, and each input item through the router to its operation's module
 * (`actions/<resource>/<operation>.operation.ts`), paired with its item; with "Continue on fail", an error item.
 */

import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeApiError, NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import { beginiCredentialTest } from '../shared/credentialCheck';
import { nodeProperties } from './actions/operation';
import { RESOURCES, route } from './actions/router';

/** Errors this node raises pass as they are; anything else (say, a missing credential) is wrapped. */
function asNodeError(context: IExecuteFunctions, error: unknown, index: number): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) return error;
	return new NodeOperationError(context.getNode(), error as Error, { itemIndex: index });
}

export class Begini implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Begini',
		name: 'begini',
		icon: { light: 'file:begini.svg', dark: 'file:begini.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["operation"] + ": " + $parameter["resource"] }}',
		description: 'Create Begini assessment sessions and test webhook delivery',
		defaults: { name: 'Begini' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		usableAsTool: true,
		credentials: [{ name: 'beginiApi', required: true, testedBy: 'beginiApiKeyCheck' }],
		properties: nodeProperties(RESOURCES),
	};

	methods = { credentialTest: beginiCredentialTest };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const output: INodeExecutionData[] = [];
		for (let index = 0; index < items.length; index++) {
			try {
				output.push({ json: await route.call(this, index), pairedItem: { item: index } });
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
