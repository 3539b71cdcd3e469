/**
 * The Begini node's resources and operations, and the dispatch of an item to the module of its resource and
 * operation. A pair with no module is an error that names it: never another operation in its place.
 */

import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { credentialDeployment } from '../transport';
import type { BeginiOperation, BeginiResource } from './operation';
import { session } from './session';
import { webhook } from './webhook';

/** In the editor's order; the first is the default. A new resource is a folder with an index and a line here. */
export const RESOURCES: readonly BeginiResource[] = [session, webhook];

// A Map, not an object: a resource named like an Object.prototype member ("constructor") must find nothing.
const MODULES = new Map<string, BeginiOperation>(
	RESOURCES.flatMap(({ resourceOption, operations }) =>
		operations.map((operation) => [`${resourceOption.value}:${operation.operationOption.value}`, operation] as const),
	),
);

export function operationModule(resource: string, operation: string): BeginiOperation | undefined {
	return MODULES.get(`${resource}:${operation}`);
}

/** Runs one input item through its operation's module; returns the output item's JSON. */
export async function route(this: IExecuteFunctions, index: number): Promise<IDataObject> {
	const resource = String(this.getNodeParameter('resource', index));
	// n8n drops an Operation that no Operation list shows (an unknown resource): then there is none to name.
	const operation = String(this.getNodeParameter('operation', index, ''));
	const module = operationModule(resource, operation);
	if (module === undefined) {
		throw new NodeOperationError(
			this.getNode(),
			`The Begini node has no operation "${operation}" for the resource "${resource}"`,
			{
				itemIndex: index,
				description:
					'Choose the Resource and the Operation again: the node may come from a newer n8n-nodes-begini, or was edited by hand.',
			},
		);
	}
	return module.execute.call(this, index, await credentialDeployment(this, index));
}
