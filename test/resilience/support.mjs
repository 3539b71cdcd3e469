// What the resilience suites share: a topology with the packed package and the example workflow, signed
// deliveries of numbered applicants, and the truth about executions read from n8n's database (so that a
// count of 2,000 does not go through the REST API's pages).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { buildDelivery, customizePayload, loadFixture, sendDelivery } from '../../scripts/lib/begini-sender.mjs';
import { packPackage, ROOT } from '../../scripts/lib/n8n-harness.mjs';
import { startN8nWithPackage, stopN8n } from '../e2e/support.mjs';

export const KEY = 'resilience-api-key-3e7b1f';
export const EXAMPLE = join(ROOT, 'examples', 'begini-risk-routing.json');

/** Brings up the topology, a credential and the example workflow, active on every webhook server. */
async function startWithExample(kind) {
	const tarball = process.env.E2E_TARBALL ?? (await packPackage());
	const started = await startN8nWithPackage(tarball, `resilience-${kind}`, { topology: kind });
	const credential = await started.n8n.createCredential({
		name: 'Begini API',
		type: 'beginiApi',
		data: { apiKey: KEY, previousApiKey: '', environment: 'production' },
	});
	const workflow = await started.activateWorkflow(EXAMPLE, { credentials: { beginiApi: credential } });
	return { started, credential, workflow, urls: workflow.productionUrls };
}

/** The example workflow with a Wait node of `seconds` between the trigger and the Switch (a long-running flow). */
export function slowExample(seconds, { id = 'BeginiSlowFlow01', webhookId = '7c1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f' } = {}) {
	const wf = JSON.parse(readFileSync(EXAMPLE, 'utf8'));
	wf.id = id;
	wf.name = `Begini slow flow (${seconds} s)`;
	const trigger = wf.nodes.find((n) => n.type === 'n8n-nodes-begini.beginiTrigger');
	trigger.webhookId = webhookId;
	const wait = {
		parameters: { amount: seconds },
		id: 'slow-wait',
		name: 'Slow step',
		type: 'n8n-nodes-base.wait',
		typeVersion: 1.1,
		position: [trigger.position[0] + 100, trigger.position[1] + 200],
		webhookId: '7c1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e60',
	};
	wf.nodes.push(wait);
	wf.connections['Slow step'] = wf.connections[trigger.name];
	wf.connections[trigger.name] = { main: [[{ node: 'Slow step', type: 'main', index: 0 }]] };
	return wf;
}

/** A signed delivery for applicant `uid` (its own bytes, so its own delivery id). */
export function deliveryFor(url, uid, type = 'psychometric_score.complete') {
	return buildDelivery({ url, key: KEY, payload: customizePayload(loadFixture(type), { uid }) });
}

/**
 * Sends; a connection that breaks (a killed process) is an answer too: status 0. `timeoutMs`: the sender gives
 * up that long after sending, as Begini does on a timeout (then status 0 too).
 */
export async function send(delivery, { timeoutMs } = {}) {
	try {
		return await sendDelivery(delivery, { timeoutMs });
	} catch (error) {
		return { status: 0, json: {}, error: error.cause?.code ?? error.message };
	}
}

/** `status body.status|body.error`, e.g. "200 accepted", "409 delivery in progress", "0 ECONNRESET". */
export function outcome(answer) {
	return `${answer.status} ${answer.json?.status ?? answer.json?.error ?? answer.error ?? ''}`.trim();
}

/**
 * Every execution of the workflow, from n8n's database: { id, status, uids } where uids are the applicant
 * ids (APP-R-…) found in its run data.
 */
export async function executionsOf(database, workflowId) {
	const rows = await database.query(
		`SELECT e.id AS id, e.status AS status, d.data AS data FROM execution_entity e ` +
			`LEFT JOIN execution_data d ON d."executionId" = e.id WHERE e."workflowId" = '${workflowId}' ORDER BY e.id`,
	);
	return rows.map((row) => ({
		id: String(row.id),
		status: row.status,
		uids: [...new Set(String(row.data ?? '').match(/APP-R-[\w-]+/g) ?? [])],
	}));
}

const UNFINISHED = ['new', 'running', 'waiting'];

/** Every execution of the workflow, without its data: { id, status }. */
async function executionStatuses(database, workflowId) {
	const rows = await database.query(`SELECT id, status FROM execution_entity WHERE "workflowId" = '${workflowId}' ORDER BY id`);
	return rows.map((row) => ({ id: String(row.id), status: row.status }));
}

/**
 * Waits until no execution of the workflow is unfinished and none has changed for `quietMs`, then returns
 * them all with their applicants (executionsOf).
 */
export async function settledExecutions(database, workflowId, { timeoutMs = 120_000, quietMs = 2000 } = {}) {
	const deadline = Date.now() + timeoutMs;
	let last = '';
	let stableSince = Date.now();
	for (;;) {
		const executions = await executionStatuses(database, workflowId);
		const signature = executions.map((e) => `${e.id}:${e.status}`).join(',');
		if (signature !== last) {
			last = signature;
			stableSince = Date.now();
		}
		const unfinished = executions.filter((e) => UNFINISHED.includes(e.status));
		if (unfinished.length === 0 && Date.now() - stableSince >= quietMs) return await executionsOf(database, workflowId);
		if (Date.now() > deadline) throw new Error(`executions did not settle: ${JSON.stringify(executions)}`);
		await sleep(300);
	}
}

/** How many executions ran each applicant. */
export function runsPerUid(executions) {
	const runs = new Map();
	for (const e of executions) for (const uid of e.uids) runs.set(uid, (runs.get(uid) ?? 0) + 1);
	return runs;
}

/** The trigger's remembered delivery ids, read from the workflow row's static data column. */
export async function rememberedIds(database, workflowId, triggerName = 'Begini Trigger') {
	const [row] = await database.query(`SELECT "staticData" AS "staticData" FROM workflow_entity WHERE id = '${workflowId}'`);
	const value = row?.staticData;
	const staticData = typeof value === 'string' ? JSON.parse(value) : (value ?? {});
	return idsInRetryMemory(staticData?.[`node:${triggerName}`]?.seenDeliveries ?? '');
}

/**
 * The delivery ids in a stored retry memory, read as the README documents its format (24-character records:
 * a 16-character id, then the time in 8 hex digits), not with the node's code.
 */
function idsInRetryMemory(stored) {
	if (typeof stored !== 'string' || stored.length % 24 !== 0) throw new Error(`not a retry memory: ${typeof stored}`);
	return (stored.match(/.{24}/gs) ?? []).map((record) => record.slice(0, 16));
}

/**
 * Sends like Begini: again after anything but a 200 (sooner after a 409, which asks to wait), up to
 * `attempts` times; `urlFor(attempt)` picks where each attempt goes. Returns every answer with its latency:
 * [{ status, outcome, ms }].
 */
export async function sendUntil200(urlFor, uid, { attempts = 30 } = {}) {
	const answers = [];
	for (let attempt = 0; attempt < attempts; attempt++) {
		const startedAt = performance.now();
		const answer = await send(deliveryFor(urlFor(attempt), uid));
		answers.push({ status: answer.status, outcome: outcome(answer), ms: performance.now() - startedAt });
		if (answer.status === 200) break;
		await sleep(answer.status === 409 ? 300 : 1000);
	}
	return answers;
}

/**
 * Registers a suite's beforeAll/afterAll: the topology with the example workflow (startWithExample) up for
 * the suite, stopped after it. Returns the object the suite reads it from: { started, credential, workflow, urls }.
 */
export function useExampleTopology(kind) {
	const ctx = {};
	beforeAll(async () => {
		Object.assign(ctx, await startWithExample(kind));
	}, 20 * 60_000);
	afterAll(() => stopN8n(ctx.started), 120_000);
	return ctx;
}

/** Polls `predicate` until it is true; throws after `timeoutMs`, naming `what` it waited for. */
export async function waitUntil(predicate, { timeoutMs = 30_000, what = 'a condition' } = {}) {
	const deadline = Date.now() + timeoutMs;
	while (!(await predicate())) {
		if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
		await sleep(200);
	}
}
