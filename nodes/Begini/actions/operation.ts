/**
 * What an operation module (`<resource>/<operation>.operation.ts`) exports, and how a resource's parameters are
 * built from its modules: the resource's Operation list names each module's operation, then each module's own
 * parameters follow. The editor's lists and the router's table are both read from the modules, so no operation
 * can be offered without a module to run it.
 */

import type { IDataObject, IExecuteFunctions, INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import type { Deployment } from '../transport';

export interface BeginiOperation {
	/** Its entry in its resource's Operation list; `value` is what saved workflows store. */
	readonly operationOption: INodePropertyOptions;
	/** Its parameters, each shown for its resource and operation only. */
	readonly description: INodeProperties[];
	/** One input item in, the output item's JSON out; a problem is thrown as a node error. */
	execute(this: IExecuteFunctions, index: number, deployment: Deployment): Promise<IDataObject>;
}

export interface BeginiResource {
	/** Its entry in the Resource list; `value` is what saved workflows store. */
	readonly resourceOption: { name: string; value: string };
	/** In the editor's order; the first is the default. */
	readonly operations: readonly BeginiOperation[];
}

/** The resource's Operation list, shown when the resource is chosen. */
function operationProperty({ resourceOption, operations }: BeginiResource): INodeProperties {
	const firstOperation = operations[0].operationOption.value;
	return {
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: [resourceOption.value] } },
		options: operations.map((operation) => operation.operationOption),
		default: firstOperation,
	};
}

/**
 * The node's parameters: Resource, each resource's Operation list, then each operation's own parameters. This
 * is the order the node had before it had modules, and n8n saves a node's parameters in this order, so saved
 * workflows come out as they did.
 */
export function nodeProperties(resources: readonly BeginiResource[]): INodeProperties[] {
	const firstResource = resources[0].resourceOption.value;
	return [
		{
			displayName: 'Resource',
			name: 'resource',
			type: 'options',
			noDataExpression: true,
			options: resources.map((resource) => resource.resourceOption),
			default: firstResource,
		},
		...resources.map(operationProperty),
		...resources.flatMap((resource) => resource.operations.flatMap((operation) => operation.description)),
	];
}
