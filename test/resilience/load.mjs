// The load run: 2,000 signed deliveries at concurrency 16 against the example workflow, 1,600 originals and
// 400 repeats (20%): 200 sent at the same moment as their original, to another webhook process where there
// is one, and 200 sent later. The sender behaves like Begini: it resends anything not answered 200.
// Every original must end with exactly one execution; a repeat may add one only where it raced its original
// on another webhook process (the cross-process window the README documents), and that count is printed.
import { inPool, percentile } from '../../scripts/lib/load-helpers.mjs';
import { withN8nLog } from '../e2e/support.mjs';
import { runsPerUid, sendUntil200, settledExecutions, useExampleTopology } from './support.mjs';

const ORIGINALS = 1600;
const CONCURRENT_REPEATS = 200;
const LATER_REPEATS = 200;
const CONCURRENCY = 16;

/** The jobs in sending order: [{ uid, copies: [urlIndex…] }]; a job's copies are sent at the same moment. */
function plan() {
	const uid = (i) => `APP-R-LOAD-${String(i).padStart(5, '0')}`;
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

export function defineLoadRun(kind) {
	const ctx = useExampleTopology(kind);

	test(
		'2,000 deliveries, 20% repeats, some concurrent, at concurrency 16: each runs once, but for repeats racing their original on another process (counted)',
		() =>
			withN8nLog(ctx.started.n8n, async () => {
				const { urls, workflow } = ctx;
				const jobs = plan();
				const startedAt = performance.now();
				const results = await inPool(jobs, CONCURRENCY, ({ uid, copies }) =>
					Promise.all(copies.map((c) => sendUntil200(() => urls[c % urls.length], uid))),
				);
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

				const executions = await settledExecutions(ctx.started.database, workflow.id, { timeoutMs: 600_000 });
				const runs = runsPerUid(executions.filter((e) => e.status === 'success'));
				expect(executions.filter((e) => e.status !== 'success')).toEqual([]);
				expect(runs.size).toBe(ORIGINALS);
				let slipped = 0;
				for (const [uid, count] of runs) {
					// an execution exists exactly for each 200 "accepted" answer: n8n stored it before answering
					expect(count).toBe(accepted.get(uid));
					slipped += count - 1;
				}
				// one process: never; several: only a repeat that raced its original on another process
				expect(slipped).toBeLessThanOrEqual(kind === 'single' ? 0 : CONCURRENT_REPEATS);

				firstTries.sort((a, b) => a - b);
				process.stdout.write(
					`[resilience ${kind}] load: ${deliveries} deliveries over ${urls.length} webhook process(es) in ${seconds.toFixed(1)} s ` +
						`(${(deliveries / seconds).toFixed(1)}/s), first-try latency p50 ${percentile(firstTries, 50).toFixed(0)} ms, ` +
						`p99 ${percentile(firstTries, 99).toFixed(0)} ms; ${executions.length} executions; ` +
						`${slipped} extra execution(s) from ${CONCURRENT_REPEATS} repeats sent with their original\n`,
				);
			}),
		1_500_000,
	);
}
