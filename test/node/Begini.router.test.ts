/**
 * A Begini node whose resource and operation have no module, run through n8n-core's WorkflowExecute: an error
 * that names the pair, and nothing sent. Before the router, any such node ran Session → Create.
 */

import { runBeginiNode } from '../helpers/beginiNode';
import { Receiver } from '../helpers/receiver';

let begini: Receiver;

beforeAll(async () => {
	// Answers as Begini answers a session or a test event: an operation run in the pair's place would succeed.
	begini = await new Receiver(() => ({
		status: 200,
		body: '{"access_token":"a.b.c","url":"http://127.0.0.1/assessment","webhook_receiver_status_code":200}',
	})).start();
});

afterAll(async () => begini?.stop());

const credential = () => ({
	apiKey: 'router-test-api-key-2e9a41',
	previousApiKey: '',
	environment: 'production',
	integrationId: '65f1c2a9e4b0a1d2c3e4f5a6',
	baseUrl: begini.url,
	sessionAuthentication: 'apiKey',
});

describe('an operation the Begini node does not have', () => {
	it.each([
		['an operation of a known resource', { resource: 'session', operation: 'get' }, '"get" for the resource "session"'],
		// Before the router, any webhook operation sent a test event: a real delivery.
		['another webhook operation', { resource: 'webhook', operation: 'getStatus' }, '"getStatus" for the resource "webhook"'],
		// n8n drops an Operation that no Operation list shows, so only the resource is left to name.
		['an unknown resource', { resource: 'applicant', operation: 'create' }, '"" for the resource "applicant"'],
	])('%s: an error that names it, and no request', async (_label, pair, named) => {
		const before = begini.received.length;
		const run = await runBeginiNode({ parameters: { ...pair, uid: 'APP2026000401' }, credential: credential() });
		expect(run.error).toMatchObject({
			name: 'NodeOperationError',
			message: `The Begini node has no operation ${named}`,
			description: expect.stringContaining('Choose the Resource and the Operation again'),
		});
		expect(run.items).toEqual([]);
		expect(begini.received.length).toBe(before);
	});

	it('with "Continue on fail": an error item paired with its item, and no request', async () => {
		const before = begini.received.length;
		const run = await runBeginiNode({
			parameters: { resource: 'session', operation: 'get', uid: 'APP2026000402' },
			credential: credential(),
			items: [{}, {}],
			continueOnFail: true,
		});
		expect(run.error).toBeUndefined();
		expect(run.items).toEqual([
			{ error: 'The Begini node has no operation "get" for the resource "session"', description: expect.any(String), httpCode: null },
			{ error: 'The Begini node has no operation "get" for the resource "session"', description: expect.any(String), httpCode: null },
		]);
		expect(run.pairedItems).toEqual([{ item: 0 }, { item: 1 }]);
		expect(begini.received.length).toBe(before);
	});
});
