// The workflows the bench loads in one n8n, each ending in one NoOp: the Begini Trigger (also with a full
// retry memory), and what a user would use instead: n8n's Webhook node with a Header Auth credential, the
// flow a user would build by hand to check Begini's signature (Webhook with the raw body, Crypto computing
// HMAC-SHA512 of it, IF comparing it with the X-Signature header), and the bare Webhook node. One more, a
// control: the Header Auth Webhook at its version 1, for which n8n builds the webhook-phase expression isolate
// it builds for every community trigger (it skips it only for its own Webhook node from version 2 on).

import { randomUUID } from 'node:crypto';

import { BEGINI_TRIGGER_TYPE } from '../lib/paths.mjs';

/** The header and value the Header Auth credential expects. */
export const HEADER_AUTH = { name: 'X-Bench-Token', value: 'bench-header-auth-token-5d2f' };

/** The NoOp every bench workflow ends in. */
export const END_NODE = 'Done';

const noOp = { id: randomUUID(), name: END_NODE, type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [600, 0], parameters: {} };

function webhookNode(path, { authentication = 'none', options = {}, typeVersion = 2.1 } = {}) {
	return {
		id: randomUUID(),
		name: 'Webhook',
		type: 'n8n-nodes-base.webhook',
		typeVersion,
		position: [0, 0],
		webhookId: randomUUID(),
		parameters: { httpMethod: 'POST', path, authentication, options },
		...(authentication === 'headerAuth' && { credentials: { httpHeaderAuth: { id: 'placeholder', name: 'Bench Header Auth' } } }),
	};
}

function chain(name, nodes) {
	const connections = {};
	for (let i = 0; i + 1 < nodes.length; i++) {
		connections[nodes[i].name] = { main: [[{ node: nodes[i + 1].name, type: 'main', index: 0 }]] };
	}
	return { name, nodes, connections, settings: { executionOrder: 'v1' } };
}

const beginiTrigger = () => ({
	id: randomUUID(),
	name: 'Begini Trigger',
	type: BEGINI_TRIGGER_TYPE,
	typeVersion: 2,
	position: [0, 0],
	webhookId: randomUUID(),
	parameters: { events: [], simplify: true, options: {} },
	credentials: { beginiApi: { id: 'placeholder', name: 'Begini API' } },
});

/** How many deliveries the `beginiFull` workflow remembers before the load: the node's default capacity. */
export const FULL_MEMORY = 5000;

const crypto = {
	id: randomUUID(),
	name: 'HMAC of raw body',
	type: 'n8n-nodes-base.crypto',
	typeVersion: 2,
	position: [200, 0],
	parameters: { action: 'hmac', binaryData: true, binaryPropertyName: 'data', type: 'SHA512', encoding: 'hex', dataPropertyName: 'expectedSignature' },
	credentials: { crypto: { id: 'placeholder', name: 'Bench HMAC secret' } },
};

const signatureMatches = {
	id: randomUUID(),
	name: 'Signature matches',
	type: 'n8n-nodes-base.if',
	typeVersion: 2.2,
	position: [400, 0],
	parameters: {
		conditions: {
			options: { caseSensitive: true, leftValue: '', typeValidation: 'strict', version: 2 },
			conditions: [
				{
					id: randomUUID(),
					leftValue: '={{ $json.expectedSignature }}',
					rightValue: "={{ $json.headers['x-signature'] }}",
					operator: { type: 'string', operation: 'equals' },
				},
			],
			combinator: 'and',
		},
		options: {},
	},
};

/**
 * The bench's workflows by key, in the order the table shows them (the Begini Trigger first; `beginiFull`
 * is the same trigger with its retry memory filled by `fillRetryMemory` before the load).
 */
export const BENCH_WORKFLOWS = {
	begini: { label: 'Begini Trigger', workflow: chain('Bench: Begini Trigger', [beginiTrigger(), noOp]) },
	beginiFull: { label: 'Begini Trigger, 5,000 remembered', workflow: chain('Bench: Begini Trigger, full memory', [beginiTrigger(), noOp]) },
	headerAuth: { label: 'Webhook + Header Auth', workflow: chain('Bench: Webhook with Header Auth', [webhookNode('bench-header-auth', { authentication: 'headerAuth' }), noOp]) },
	headerAuthV1: {
		label: 'Webhook v1 + Header Auth',
		workflow: chain('Bench: Webhook v1 with Header Auth', [webhookNode('bench-header-auth-v1', { authentication: 'headerAuth', typeVersion: 1 }), noOp]),
	},
	handBuilt: {
		label: 'Webhook + Crypto + IF',
		workflow: chain('Bench: hand-built signature check', [webhookNode('bench-hand-built', { options: { rawBody: true } }), crypto, signatureMatches, noOp]),
	},
	bare: { label: 'bare Webhook', workflow: chain('Bench: bare Webhook', [webhookNode('bench-bare'), noOp]) },
};

/** Creates the credentials the workflows need (one each) and activates every workflow; returns them with their URLs. */
export async function activateBenchWorkflows(topology, apiKey, keys = Object.keys(BENCH_WORKFLOWS)) {
	const main = topology.main;
	const credentials = {
		beginiApi: await main.createCredential({ name: 'Begini API', type: 'beginiApi', data: { apiKey, previousApiKey: '', environment: 'production' } }),
		httpHeaderAuth: await main.createCredential({ name: 'Bench Header Auth', type: 'httpHeaderAuth', data: HEADER_AUTH }),
		crypto: await main.createCredential({ name: 'Bench HMAC secret', type: 'crypto', data: { hmacSecret: apiKey } }),
	};
	const active = {};
	for (const key of keys) {
		const workflow = await topology.activateWorkflow(BENCH_WORKFLOWS[key].workflow, { credentials });
		active[key] = { key, label: BENCH_WORKFLOWS[key].label, id: workflow.id, url: workflow.deliveryUrl };
	}
	return active;
}

/**
 * Fills a Begini workflow's retry memory in n8n's SQLite database with `count` remembered deliveries
 * (16-character ids, accepted in the last hour), as the node stores them (one string of records sorted by
 * id): what a workflow that has accepted that many holds. n8n reads static data from the database on every request.
 */
export async function fillRetryMemory(database, workflowId, count = FULL_MEMORY) {
	const now = Math.floor(Date.now() / 1000);
	await database.query(`UPDATE workflow_entity SET staticData = (
		WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${count})
		SELECT json_object('node:Begini Trigger', json_object('seenDeliveries', group_concat(printf('benchmemory%05d%08x', i, ${now - 3600} + i * 3600 / ${count}), '')))
		FROM (SELECT i FROM n ORDER BY i)
	) WHERE id = '${workflowId}'`);
	const [row] = await database.query(`SELECT length(staticData) AS bytes FROM workflow_entity WHERE id = '${workflowId}'`);
	return row.bytes;
}
