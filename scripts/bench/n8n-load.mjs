// Load against a real n8n: unique signed deliveries sent by autocannon at a fixed concurrency, then the
// executions that load started counted in n8n's database until none is left running (the drain), and
// n8n's memory. One round = one workflow, one concurrency, one batch of deliveries nobody has sent before.

import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

import autocannon from 'autocannon';

import { customizePayload, loadFixture, signBody } from '../lib/begini-sender.mjs';

/** `count` psychometric-score deliveries with distinct applicant ids, signed with `key`. */
export function uniqueDeliveries(count, prefix, key) {
	const template = loadFixture('psychometric_score.complete');
	return Array.from({ length: count }, (_, n) => {
		const body = JSON.stringify(customizePayload(template, { uid: `${prefix}-${n}` }));
		return { body, signature: signBody(body, key) };
	});
}

/**
 * Sends each delivery once to `url` over `connections` keep-alive connections (autocannon). Returns
 * throughput of answers, latency p50/p99 in ms, and what went wrong (non-2xx answers, connection errors).
 */
export async function sendRound({ url, deliveries, connections, headers = {} }) {
	let next = 0;
	// autocannon ends a fixed amount on its next one-second tick, so its duration can be a second long:
	// the round's time is taken here, from the start to the last answer
	let lastAnswerAt = performance.now();
	const startedAt = lastAnswerAt;
	const result = await autocannon({
		url,
		connections,
		amount: deliveries.length,
		timeout: 60,
		requests: [
			{
				method: 'POST',
				setupRequest: (request) => {
					const delivery = deliveries[next++ % deliveries.length];
					return {
						...request,
						body: delivery.body,
						headers: { ...request.headers, ...headers, 'content-type': 'application/json', 'x-signature': delivery.signature },
					};
				},
				onResponse: () => {
					lastAnswerAt = performance.now();
				},
			},
		],
	});
	const answered = result['2xx'];
	const durationS = (lastAnswerAt - startedAt) / 1000;
	return {
		sent: result.requests.sent,
		answered,
		answeredPerS: answered / durationS,
		durationS,
		p50: result.latency.p50,
		p99: result.latency.p99,
		non2xx: result.non2xx,
		errors: result.errors + result.timeouts,
	};
}

const FINISHED = ['success', 'error', 'crashed', 'canceled'];

/** Executions of a workflow in n8n's database by status, e.g. { success: 300, running: 2 }. */
export async function executionsByStatus(database, workflowId) {
	const rows = await database.query(
		`SELECT status, COUNT(*) AS n FROM execution_entity WHERE "workflowId" = '${workflowId.replace(/'/g, "''")}' GROUP BY status`,
	);
	return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}

const finishedCount = (byStatus) => FINISHED.reduce((sum, s) => sum + (byStatus[s] ?? 0), 0);
const totalCount = (byStatus) => Object.values(byStatus).reduce((sum, n) => sum + n, 0);

/**
 * Waits until every execution of the workflow has finished (or `timeoutMs`); returns the counts since
 * `before` (a previous executionsByStatus) and when the last one finished.
 */
export async function waitForDrain(database, workflowId, before, { timeoutMs = 120_000 } = {}) {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const now = await executionsByStatus(database, workflowId);
		const started = totalCount(now) - totalCount(before);
		const finished = finishedCount(now) - finishedCount(before);
		const succeeded = (now.success ?? 0) - (before.success ?? 0);
		if (finished >= started || Date.now() > deadline) return { started, finished, succeeded, drainedAt: performance.now() };
		await sleep(100);
	}
}

/** Resident memory of a process in bytes (Linux /proc), or NaN when it cannot be read. */
export function residentBytes(pid) {
	try {
		const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
		return match ? Number(match[1]) * 1024 : Number.NaN;
	} catch {
		return Number.NaN;
	}
}

/**
 * One round: send, then wait for the executions. `executedPerS` counts deliveries answered and executed
 * over the time from the first request until the last execution finished (a backlog's drain included).
 */
export async function measureRound({ target, database, deliveries, connections, headers }) {
	const before = await executionsByStatus(database, target.id);
	const startedAt = performance.now();
	const answers = await sendRound({ url: target.url, deliveries, connections, headers });
	const executions = await waitForDrain(database, target.id, before);
	const untilExecutedS = (executions.drainedAt - startedAt) / 1000;
	return { ...answers, executions: executions.succeeded, started: executions.started, untilExecutedS, executedPerS: executions.succeeded / untilExecutedS };
}
