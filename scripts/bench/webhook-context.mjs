// The smallest IWebhookFunctions that Begini Trigger's `webhook()` uses, so the bench can run the compiled
// node (dist/) in this process without n8n. It gives what n8n gives (test/helpers/localN8n.ts shows n8n's
// own WebhookContext doing it): node parameters, the decrypted credential, the request with its raw body
// already read and parsed, the response, header data and the node's static data. Everything n8n itself spends around
// `webhook()` (loading the workflow, decrypting the credential, resolving parameters) is left out on purpose.

import { createRequire } from 'node:module';
import { join } from 'node:path';

import { ROOT } from '../lib/paths.mjs';

/** The compiled node class; `npm run build` first. */
export function loadBeginiTrigger() {
	const require = createRequire(import.meta.url);
	return require(join(ROOT, 'dist', 'nodes', 'BeginiTrigger', 'BeginiTrigger.node.js')).BeginiTrigger;
}

const silentLogger = { error() {}, warn() {}, info() {}, debug() {} };

/** A response object with what the node calls on it; `statusCode` and `body` tell what it answered. */
function benchResponse() {
	return {
		statusCode: 200,
		body: undefined,
		status(code) {
			this.statusCode = code;
			return this;
		},
		set() {
			return this;
		},
		json(body) {
			this.body = body;
			return this;
		},
		once() {
			return this;
		},
	};
}

/**
 * A context for one delivery. `body` is what n8n's body parser made of `rawBody` (a JSON body, read as UTF-8).
 * `staticData` is the node's static data object (n8n hands each request its
 * own copy; the bench passes the one it keeps between deliveries). `workflowId` scopes the node's
 * in-process retry record.
 */
export function webhookContext({ rawBody, body, headers, parameters = {}, credential, staticData, workflowId, mode = 'webhook' }) {
	const response = benchResponse();
	const node = { id: 'bench-begini-trigger', name: 'Begini Trigger' };
	return {
		response,
		getNodeParameter: (name, fallback) => (name in parameters ? parameters[name] : fallback),
		getCredentials: async () => credential,
		getRequestObject: () => ({ headers, rawBody, contentType: 'application/json', encoding: 'utf-8', body }),
		getResponseObject: () => response,
		getHeaderData: () => headers,
		getWorkflowStaticData: () => staticData,
		getMode: () => mode,
		getNode: () => node,
		getWorkflow: () => ({ id: workflowId }),
		logger: silentLogger,
	};
}
