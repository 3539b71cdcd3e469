/**
 * The Begini node's router (`nodes/Begini/actions/router.ts`): every operation the editor offers has a module,
 * each module's parameters show for its own operation only, and a pair with no module finds none. The run of
 * such a pair through n8n is in test/node/Begini.router.test.ts.
 */

import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';
import type { INodeProperties } from 'n8n-workflow';

import { Begini } from '../../nodes/Begini/Begini.node';
import { operationModule, RESOURCES } from '../../nodes/Begini/actions/router';

const properties = new Begini().description.properties;
const operationLists = properties.filter((property) => property.name === 'operation');
const shownFor = (property: INodeProperties) => property.displayOptions?.show ?? {};

describe('the Begini node description and its modules', () => {
	it('offers each operation of each resource with a module that runs it', () => {
		const offered = operationLists.flatMap((list) =>
			(shownFor(list).resource as string[]).flatMap((resource) =>
				(list.options as Array<{ value: string }>).map(({ value }) => [resource, value]),
			),
		);
		expect(offered.length).toBe(RESOURCES.flatMap((resource) => resource.operations).length);
		for (const [resource, operation] of offered) {
			expect([resource, operation, operationModule(resource, operation)?.operationOption.value]).toEqual([
				resource,
				operation,
				operation,
			]);
		}
	});

	it('has an Operation list for every resource in the Resource list, and no other', () => {
		const resourceList = properties.find((property) => property.name === 'resource')!;
		const listed = (resourceList.options as Array<{ value: string }>).map(({ value }) => value);
		expect(operationLists.map((list) => shownFor(list).resource)).toEqual(listed.map((resource) => [resource]));
		expect(RESOURCES.map((resource) => resource.resourceOption.value)).toEqual(listed);
	});

	it("shows each module's parameters for its own resource and operation only", () => {
		for (const { resourceOption, operations } of RESOURCES) {
			for (const { operationOption, description } of operations) {
				for (const parameter of description) {
					expect([parameter.name, shownFor(parameter)]).toEqual([
						parameter.name,
						{ resource: [resourceOption.value], operation: [operationOption.value] },
					]);
				}
			}
		}
	});

	it('keeps the defaults saved workflows rely on (n8n leaves a parameter at its default out of the saved node)', () => {
		expect(properties.find((property) => property.name === 'resource')?.default).toBe('session');
		expect(operationLists.map((list) => [shownFor(list).resource, list.default])).toEqual([
			[['session'], 'create'],
			[['webhook'], 'sendTestEvent'],
		]);
	});

	it('runs every Begini node of the example workflows', () => {
		const examples = join(__dirname, '..', '..', 'examples');
		const nodes = readdirSync(examples)
			.filter((file) => file.endsWith('.json'))
			.flatMap((file) => JSON.parse(readFileSync(join(examples, file), 'utf8')).nodes)
			.filter((node: { type: string }) => node.type === 'n8n-nodes-begini.begini');
		expect(nodes.length).toBeGreaterThan(0);
		for (const { parameters } of nodes) {
			expect(operationModule(parameters.resource ?? 'session', parameters.operation ?? 'create')).toBeDefined();
		}
	});
});

describe('a resource and operation with no module', () => {
	it.each([
		['session', 'get'],
		['session', 'sendTestEvent'],
		['webhook', 'create'],
		['webhook', ''],
		['', ''],
		['constructor', 'create'],
		['__proto__', 'create'],
	])('%j and %j: none, never another operation in its place', (resource, operation) => {
		expect(operationModule(resource, operation)).toBeUndefined();
	});
});
