// What both end-to-end suites need: a real n8n with one packed community package installed, as one
// process on SQLite or in queue mode (main, worker, two webhook processes, PostgreSQL, Redis), and
// failures that carry the tail of n8n's logs.
import { startTopology } from '../../scripts/lib/n8n-harness.mjs';

/** Which topology a suite runs on unless it asks: E2E_TOPOLOGY=queue, else one process. */
export const DEFAULT_TOPOLOGY = process.env.E2E_TOPOLOGY ?? 'single';

// the topology behind each main handle, so that withN8nLog(n8n, …) can show every process' log
const topologyOf = new WeakMap();

/**
 * Installs the tarball as a community package, starts the topology and creates the owner on its main.
 * Returns { n8n (the main's handle: REST, executions, restart…), topology, webhookBaseUrls, processes,
 * database, redis, userFolder, productionUrls(workflow), activateWorkflow(json, options) }.
 * In queue mode n8n's production webhook URLs (workflow.productionWebhookUrl, and an activated workflow's
 * deliveryUrl) point at the front before the webhook processes; productionUrls(workflow) gives one per
 * webhook process, past the front.
 */
export async function startN8nWithPackage(tarball, folderPrefix, { topology: kind = DEFAULT_TOPOLOGY, ...options } = {}) {
	const topology = await startTopology({ kind, tarball, folderPrefix, keep: process.env.E2E_KEEP === '1', ...options });
	const n8n = topology.main;
	topologyOf.set(n8n, topology);
	try {
		await n8n.setupOwner();
	} catch (e) {
		await topology.stop();
		throw e;
	}
	return {
		n8n,
		topology,
		webhookBaseUrls: topology.webhookBaseUrls,
		processes: topology.processes,
		database: topology.database,
		redis: topology.redis,
		userFolder: topology.folder,
		productionUrls: (workflow) => topology.productionUrls(workflow),
		activateWorkflow: (json, activateOptions) => topology.activateWorkflow(json, activateOptions),
	};
}

/** Stops every process and server and removes the folders (kept with E2E_KEEP=1). */
export async function stopN8n(started) {
	await started?.topology.stop();
}

/** Runs a test body; a failure's message gets the last 40 lines of the log of each n8n process. */
export async function withN8nLog(n8n, fn) {
	try {
		return await fn();
	} catch (e) {
		if (n8n) e.message += `\n\n----- n8n log (last 40 lines) -----\n${(topologyOf.get(n8n) ?? n8n).logTail(40)}`;
		throw e;
	}
}
