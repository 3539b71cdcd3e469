// The main n8n process as tests and `npm start` use it: one handle that runs the process
// (start/stop/restart/kill, log) and speaks its REST API (owner, credentials, workflows, executions).
//
//   const n8n = await startN8n({ port: 5678, userFolder });
//   await n8n.setupOwner();
//   const cred = await n8n.createCredential({ name, type: 'beginiApi', data });
//   const wf = await n8n.importAndActivateWorkflow('examples/begini-risk-routing.json', { credentials: { beginiApi: cred } });
//   await n8n.waitForWebhook(wf.productionWebhookUrl);
//   ... send deliveries ...
//   const [exec] = await n8n.waitForExecutions(wf.id, { count: 1 });
//   const details = await n8n.getExecution(exec.id);
//   await n8n.stop();

import { ExecutionsApi } from './executions.mjs';
import { RestApi } from './n8n-rest.mjs';
import { N8nProcess } from './n8n-process.mjs';

export class N8nHandle extends ExecutionsApi(RestApi(N8nProcess)) {
	constructor(options = {}) {
		super({ ...options, kind: 'main' });
	}
}

/**
 * Starts a main n8n (`n8n start`; options as N8nProcess, by default SQLite in <userFolder>/.n8n)
 * and waits until it serves its REST API.
 * @returns {Promise<N8nHandle>}
 */
export async function startN8n(options = {}) {
	const h = new N8nHandle(options);
	await h.start();
	return h;
}
