// The load run: 2,000 signed deliveries at concurrency 16 against the example workflow, 1,600 originals and
// 400 repeats (20%): 200 sent at the same moment as their original, and 200 sent later. The sender behaves
// like Begini: it resends anything not answered 200. Every original must end with exactly one execution.
// In queue mode the run goes twice, in one topology:
// - through the front, as Begini sends: every copy of a delivery reaches the same webhook process, so no
//   repeat may run again, and the front must still spread distinct deliveries over both processes;
// - straight to the webhook processes, past the front, each racing repeat to the other process than its
//   original (the control): there a repeat that raced its original may run a second time, and that count
//   is printed beside the first.
import { inPool, percentile } from '../../scripts/lib/load-helpers.mjs';
import { deliveriesByUpstream } from '../../scripts/lib/webhook-front.mjs';
import { withN8nLog } from '../e2e/support.mjs';
import { runsPerUid, sendUntil200, settledExecutions, useExampleTopology } from './support.mjs';

const ORIGINALS = 1600;
const CONCURRENT_REPEATS = 200;
const LATER_REPEATS = 200;
const CONCURRENCY = 16;
/** Through the front, each webhook process must answer between these shares of the distinct deliveries. */
const FAIR_SHARE = [0.3, 0.7];

/** The jobs in sending order: [{ uid, copies: [copyIndex…] }]; a job's copies are sent at the same moment. */
function plan(prefix) {
	const uid = (i) => `APP-R-${prefix}-${String(i).padStart(5, '0')}`;
	const jobs = Array.from({ length: ORIGINALS }, (_, i) => ({
		uid: uid(i),
		copies: i % (ORIGINALS / CONCURRENT_REPEATS) === 0 ? [i, i + 1] : [i],
	}));
	// the later repeats go in among the last originals, well after their own original was answered
	for (let k = LATER_REPEATS - 1; k >= 0; k--) {
		const original = 1 + k * 3;
		jobs.splice(ORIGINALS - 2 * LATER_REPEATS + 2 * k, 0, { uid: uid(original), copies: [original + 1] });
	}
	return jobs;
}

/**
 * Sends the plan (`urlFor(copyIndex)` picks where each copy goes), checks every delivery's answers and the
 * executions that ran the applicants of `prefix`, and returns what it measured.
 */
async function runLoad(ctx, prefix, urlFor) {
	const { workflow } = ctx;
	const jobs = plan(prefix);
	const startedAt = performance.now();
	const results = await inPool(jobs, CONCURRENCY, ({ uid, copies }) => Promise.all(copies.map((c) => sendUntil200(() => urlFor(c), uid))));
	const seconds = (performance.now() - startedAt) / 1000;

	const accepted = new Map();
	const firstTries = [];
	let deliveries = 0;
	for (const [i, { uid }] of jobs.entries()) {
		for (const answers of results[i]) {
			deliveries++;
			expect(answers.at(-1).outcome).toMatch(/^200 (accepted|duplicate)$/);
			firstTries.push(answers[0].ms);
			const acceptedHere = answers.filter((a) => a.outcome === '200 accepted').length;
			accepted.set(uid, (accepted.get(uid) ?? 0) + acceptedHere);
		}
	}
	expect(deliveries).toBe(ORIGINALS + CONCURRENT_REPEATS + LATER_REPEATS);

	const executions = (await settledExecutions(ctx.started.database, workflow.id, { timeoutMs: 600_000 })).filter((e) =>
		e.uids.some((u) => u.includes(`-${prefix}-`)),
	);
	const runs = runsPerUid(executions.filter((e) => e.status === 'success'));
	expect(executions.filter((e) => e.status !== 'success')).toEqual([]);
	expect(runs.size).toBe(ORIGINALS);
	let extraRuns = 0;
	for (const [uid, count] of runs) {
		// an execution exists exactly for each 200 "accepted" answer: n8n stored it before answering
		expect(count).toBe(accepted.get(uid));
		extraRuns += count - 1;
	}
	firstTries.sort((a, b) => a - b);
	return { deliveries, seconds, executions: executions.length, extraRuns, p50: percentile(firstTries, 50), p99: percentile(firstTries, 99) };
}

function report(kind, route, m, more = '') {
	process.stdout.write(
		`[resilience ${kind}] load ${route}: ${m.deliveries} deliveries in ${m.seconds.toFixed(1)} s (${(m.deliveries / m.seconds).toFixed(1)}/s), ` +
			`first-try latency p50 ${m.p50.toFixed(0)} ms, p99 ${m.p99.toFixed(0)} ms; ${m.executions} executions; ` +
			`${m.extraRuns} extra execution(s) from ${CONCURRENT_REPEATS} repeats sent with their original${more}\n`,
	);
}

export function defineLoadRun(kind) {
	const ctx = useExampleTopology(kind);
	const withLog = (fn) => () => withN8nLog(ctx.started.n8n, fn);

	if (kind === 'single') {
		test(
			'2,000 deliveries, 20% repeats, some concurrent, at concurrency 16: each runs once',
			withLog(async () => {
				const measured = await runLoad(ctx, 'LOAD', () => ctx.workflow.deliveryUrl);
				expect(measured.extraRuns).toBe(0);
				report(kind, 'on one process', measured);
			}),
			1_500_000,
		);
		return;
	}

	test(
		'2,000 deliveries, 20% repeats, some concurrent, at concurrency 16, through the front: each runs once, and each webhook process takes 30–70% of them',
		withLog(async () => {
			const { front } = ctx.started.topology;
			const logBefore = front.accessLog().length;
			const measured = await runLoad(ctx, 'LOADFRONT', () => ctx.workflow.deliveryUrl);
			const byProcess = deliveriesByUpstream(front.accessLog().slice(logBefore));
			const distinct = [...byProcess.values()].reduce((sum, tags) => sum + tags.size, 0);
			const shares = ctx.started.topology.webhookServers.map((p) => (byProcess.get(new URL(p.baseUrl).host)?.size ?? 0) / distinct);
			report(kind, 'through the front', measured, `; distinct deliveries per webhook process ${shares.map((s) => `${(s * 100).toFixed(1)}%`).join(' / ')}`);
			expect(measured.extraRuns).toBe(0);
			expect(distinct).toBe(ORIGINALS);
			for (const share of shares) {
				expect(share).toBeGreaterThanOrEqual(FAIR_SHARE[0]);
				expect(share).toBeLessThanOrEqual(FAIR_SHARE[1]);
			}
		}),
		1_500_000,
	);

	test(
		'the control: the same load straight to the webhook processes, each racing repeat to the other one: only those can run twice (counted)',
		withLog(async () => {
			const { urls } = ctx;
			const measured = await runLoad(ctx, 'LOADDIRECT', (copy) => urls[copy % urls.length]);
			report(kind, 'straight to the webhook processes', measured);
			expect(measured.extraRuns).toBeLessThanOrEqual(CONCURRENT_REPEATS);
		}),
		1_500_000,
	);
}
