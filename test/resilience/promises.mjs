// The trigger's promises, checked in a real n8n topology with real process kills and a really stalled
// database. Used by single.resilience.test.mjs (one n8n on SQLite) and queue.resilience.test.mjs (main,
// worker and two webhook processes behind the front, nginx, on PostgreSQL and Redis). Deliveries go where
// Begini sends them (the front in queue mode), except in the tests that address each webhook process
// directly, past the front, to check what holds whichever process a delivery reaches:
// - a delivery answered 200 ends with exactly one successful execution, or one crashed execution that
//   n8n lists (and can retry);
// - a delivery not answered 200 runs exactly once when it is resent;
// - every accepted delivery is remembered, whichever process accepted it, across restarts of any process.
import { setTimeout as sleep } from 'node:timers/promises';

import { buildDelivery, customizePayload, loadFixture } from '../../scripts/lib/begini-sender.mjs';

import { withN8nLog } from '../e2e/support.mjs';
import {
	deliveryFor,
	executionsOf,
	KEY,
	outcome,
	rememberedIds,
	runsPerUid,
	send,
	sendUntil200,
	settledExecutions,
	slowExample,
	useExampleTopology,
	waitUntil,
} from './support.mjs';

/** What n8n logs when it could not start a delivery's execution (could not store it), answering 500. */
const STORE_FAILED = /Error in handling webhook request POST \/webhook\/.*There was a problem executing the workflow/;

/** Each test's applicants have their own prefix, so its executions can be told apart. */
const uids = (prefix, count) => Array.from({ length: count }, (_, i) => `APP-R-${prefix}-${String(i + 1).padStart(3, '0')}`);

export function definePromiseSuite(kind) {
	const ctx = useExampleTopology(kind);
	const n8n = () => ctx.started.n8n;
	const database = () => ctx.started.database;
	const topology = () => ctx.started.topology;
	const withLog = (fn) => () => withN8nLog(n8n(), fn);
	/** The processes that take deliveries (the main alone, or the webhook processes). */
	const webhookServers = () => topology().webhookServers;
	/** Where Begini sends: the front (queue), or the main. */
	const deliveryUrl = () => ctx.workflow.deliveryUrl;
	/** How many deliveries the webhook servers have logged that n8n could not start (its execution not stored). */
	const storeFailures = () => webhookServers().reduce((sum, p) => sum + p.logMatching(STORE_FAILED).length, 0);
	/** The process that runs executions. */
	const runner = () => (kind === 'queue' ? topology().processes.workers[0] : n8n());

	async function runsOf(workflowId, prefix) {
		const executions = (await settledExecutions(database(), workflowId)).filter((e) => e.uids.some((u) => u.includes(`-${prefix}-`)));
		return { executions, runs: runsPerUid(executions) };
	}

	async function expectOneSuccessfulRun(workflowId, prefix, uid) {
		const { runs, executions } = await runsOf(workflowId, prefix);
		expect(runs.get(uid)).toBe(1);
		expect(executions.map((e) => e.status)).toEqual(['success']);
	}

	test(
		'every accepted delivery is remembered, whichever webhook process accepted it',
		withLog(async () => {
			const { urls, workflow } = ctx;
			const applicants = uids('SPREAD', 6);
			const answers = [];
			for (const [i, uid] of applicants.entries()) answers.push(await send(deliveryFor(urls[i % urls.length], uid)));
			expect(answers.map(outcome)).toEqual(Array(6).fill('200 accepted'));
			await settledExecutions(database(), workflow.id);
			const remembered = new Set(await rememberedIds(database(), workflow.id));
			for (const answer of answers) expect(remembered.has(answer.json.deliveryId)).toBe(true);

			// each resent to another process than the one that accepted it
			for (const [i, uid] of applicants.entries()) {
				expect(outcome(await send(deliveryFor(urls[(i + 1) % urls.length], uid)))).toBe('200 duplicate');
			}
			const { runs } = await runsOf(workflow.id, 'SPREAD');
			expect([...runs.values()]).toEqual(Array(6).fill(1));
		}),
		120_000,
	);

	test(
		'after every n8n process restarted, a resend to any webhook process starts nothing',
		withLog(async () => {
			const { urls, workflow } = ctx;
			const applicants = uids('SPREAD', 6);
			const { webhooks, workers } = topology().processes;
			for (const server of [...webhooks, ...workers]) await server.restart();
			await n8n().restart();
			await topology().waitForWebhooks(workflow);
			for (const url of new Set([...urls, deliveryUrl()])) {
				for (const uid of applicants) expect(outcome(await send(deliveryFor(url, uid)))).toBe('200 duplicate');
			}
			const { runs } = await runsOf(workflow.id, 'SPREAD');
			expect([...runs.values()]).toEqual(Array(6).fill(1));
		}),
		300_000,
	);

	test(
		'20 concurrent copies to one webhook process: one execution, and only one copy answered 200 before it was stored',
		withLog(async () => {
			const { urls, workflow } = ctx;
			const [uid] = uids('BURST', 1);
			const answers = await Promise.all(Array.from({ length: 20 }, () => send(deliveryFor(urls[0], uid))));
			const outcomes = answers.map(outcome);
			expect(outcomes.filter((o) => o === '200 accepted')).toHaveLength(1);
			expect(outcomes.filter((o) => !['200 accepted', '409 delivery in progress', '200 duplicate'].includes(o))).toEqual([]);
			expect(outcome(await send(deliveryFor(urls[1 % urls.length], uid)))).toBe('200 duplicate');
			const { runs } = await runsOf(workflow.id, 'BURST');
			expect(runs.get(uid)).toBe(1);
		}),
		120_000,
	);

	test(
		'concurrent copies sent straight to each webhook process (past the front, in queue mode): how many slip through (measured)',
		withLog(async () => {
			const { urls, workflow } = ctx;
			const applicants = uids('SPLIT', 10);
			for (const uid of applicants) {
				// 8 copies at once, alternating between the processes, as a load balancer would spread them
				await Promise.all(Array.from({ length: 8 }, (_, i) => send(deliveryFor(urls[i % urls.length], uid))));
			}
			const { runs } = await runsOf(workflow.id, 'SPLIT');
			const extra = applicants.reduce((sum, uid) => sum + (runs.get(uid) ?? 0) - 1, 0);
			process.stdout.write(
				`[resilience ${kind}] 10 deliveries x 8 concurrent copies over ${urls.length} webhook process(es): ` +
					`${extra} extra execution(s); runs per delivery ${JSON.stringify(applicants.map((u) => runs.get(u)))}\n`,
			);
			for (const uid of applicants) {
				expect(runs.get(uid)).toBeGreaterThanOrEqual(1);
				// at most one per process: each process lets exactly one copy through
				expect(runs.get(uid)).toBeLessThanOrEqual(urls.length);
			}
		}),
		180_000,
	);

	test(
		'a signed delivery of 3 MB is accepted where Begini sends it (in queue mode through the front, which keeps bodies in memory) and runs once',
		withLog(async () => {
			const { workflow } = ctx;
			const [uid] = uids('LARGE', 1);
			const payload = customizePayload(loadFixture('psychometric_score.complete'), { uid });
			payload.padding = 'x'.repeat(3_000_000);
			const delivery = buildDelivery({ url: deliveryUrl(), key: KEY, payload });
			expect(outcome(await send(delivery))).toBe('200 accepted');
			expect(outcome(await send(delivery))).toBe('200 duplicate');
			const { runs } = await runsOf(workflow.id, 'LARGE');
			expect(runs.get(uid)).toBe(1);
		}),
		120_000,
	);

	test(
		'a stalled database: no 200 until the execution is stored; a copy meanwhile is not 200; the resend runs once',
		withLog(async () => {
			const { workflow } = ctx;
			const [uid] = uids('STALL', 1);
			const url = deliveryUrl();
			const stall = await database().stall();
			let first;
			try {
				first = send(deliveryFor(url, uid));
				const early = await Promise.race([first, sleep(2500).then(() => null)]);
				// SQLite makes n8n's insert fail after its busy timeout (500); PostgreSQL makes it wait.
				if (early) expect(early.status).not.toBe(200);
				else expect(outcome(await send(deliveryFor(url, uid)))).toBe('409 delivery in progress');
			} finally {
				await stall.release();
			}
			const firstAnswer = await first;
			const retried = await send(deliveryFor(url, uid));
			expect([outcome(firstAnswer), outcome(retried)]).toEqual(
				firstAnswer.status === 200 ? ['200 accepted', '200 duplicate'] : [outcome(firstAnswer), '200 accepted'],
			);
			const { runs } = await runsOf(workflow.id, 'STALL');
			expect(runs.get(uid)).toBe(1);
		}),
		120_000,
	);

	test(
		'the sender gives up after 1 s while n8n stores, and the store fails: a retry 5 s later is accepted and runs once',
		withLog(async () => {
			const { workflow } = ctx;
			const url = deliveryUrl();
			const [uid] = uids('GAVEUP', 1);
			const failuresBefore = storeFailures();
			const stall = await database().stall();
			const sentAt = Date.now();
			let first;
			try {
				first = await send(deliveryFor(url, uid), { timeoutMs: 1000 });
				// n8n's insert fails on the held lock: SQLite gives up by itself, a PostgreSQL statement is
				// cancelled here as its statement timeout would
				if (kind === 'queue') expect(await database().cancelLockWaiters()).toBeGreaterThanOrEqual(1);
				await waitUntil(() => storeFailures() > failuresBefore, { what: "n8n's log of the failed store" });
			} finally {
				await stall.release();
			}
			expect(first.status).toBe(0); // the sender left before n8n answered
			await sleep(sentAt + 5000 - Date.now());
			expect(outcome(await send(deliveryFor(url, uid)))).toBe('200 accepted');
			expect(outcome(await send(deliveryFor(url, uid)))).toBe('200 duplicate');
			const { runs } = await runsOf(workflow.id, 'GAVEUP');
			expect(runs.get(uid)).toBe(1);
		}),
		120_000,
	);

	test(
		'killed while the database is stalled, before the answer: not 200, not replayed to another process, and the resend after the restart runs once',
		withLog(async () => {
			const { urls, workflow } = ctx;
			const [uid] = uids('KILLSTALL', 1);
			const url = deliveryUrl();
			const delivery = deliveryFor(url, uid);
			// the process the front sends this delivery to (queue), or the one process
			const upstream = topology().front && (await topology().front.routeOf(url, delivery.signature));
			const server = upstream ? webhookServers().find((p) => p.baseUrl.endsWith(`//${upstream}`)) : webhookServers()[0];
			const stall = await database().stall();
			let answer;
			try {
				const pending = send(delivery);
				await sleep(kind === 'queue' ? 1500 : 300);
				await server.kill();
				answer = await pending;
			} finally {
				await stall.release();
			}
			expect(answer.status).not.toBe(200);
			if (topology().front) {
				// the front answered for the killed process and did not pass the POST on to the other one
				const held = await topology().front.accessLogWhen((e) => e.method === 'POST' && e.tag === delivery.signature.slice(0, 12), 1);
				expect(held).toEqual([expect.objectContaining({ status: 502, upstreams: [upstream] })]);
			}
			await server.start();
			await topology().waitForWebhooks(workflow);
			expect(outcome(await send(deliveryFor(url, uid)))).toBe('200 accepted');
			for (const direct of urls) expect(outcome(await send(deliveryFor(direct, uid)))).toBe('200 duplicate');
			const { runs } = await runsOf(workflow.id, 'KILLSTALL');
			expect(runs.get(uid)).toBe(1);
		}),
		300_000,
	);

	test(
		'killed after the answer, while the workflow runs: one execution that succeeded or that n8n lists as crashed; the resend starts nothing',
		withLog(async () => {
			const slow = await topology().activateWorkflow(slowExample(8), { credentials: { beginiApi: ctx.credential } });
			const [uid] = uids('KILLRUN', 1);
			expect(outcome(await send(deliveryFor(slow.deliveryUrl, uid)))).toBe('200 accepted');
			await sleep(2000); // the execution is in its 8 s wait
			await runner().kill();
			await runner().start();
			if (kind === 'single') await topology().waitForWebhooks(slow);
			const executions = await settledExecutions(database(), slow.id, { timeoutMs: 180_000, quietMs: 5000 });
			const ran = executions.filter((e) => e.uids.includes(uid));
			process.stdout.write(`[resilience ${kind}] killed mid-run: ${JSON.stringify(ran.map(({ id, status }) => ({ id, status })))}\n`);
			expect(ran).toHaveLength(1);
			expect(['success', 'crashed']).toContain(ran[0].status);
			for (const url of [...slow.productionUrls, slow.deliveryUrl]) expect(outcome(await send(deliveryFor(url, uid)))).toBe('200 duplicate');
			expect(await executionsOf(database(), slow.id)).toHaveLength(executions.length);
		}),
		400_000,
	);

	if (kind === 'queue') {
		test(
			'concurrent copies through the front: every copy of a delivery reaches one process, and each delivery runs once',
			withLog(async () => {
				const { workflow } = ctx;
				const applicants = uids('FRONT', 10);
				const deliveries = applicants.map((uid) => deliveryFor(deliveryUrl(), uid));
				for (const delivery of deliveries) await Promise.all(Array.from({ length: 8 }, () => send(delivery)));
				const { runs } = await runsOf(workflow.id, 'FRONT');
				expect(applicants.map((uid) => runs.get(uid))).toEqual(Array(10).fill(1));
				const tags = new Set(deliveries.map(({ signature }) => signature.slice(0, 12)));
				const served = await topology().front.accessLogWhen((e) => e.method === 'POST' && tags.has(e.tag), 80);
				for (const { signature } of deliveries) {
					const copies = served.filter((e) => e.tag === signature.slice(0, 12));
					expect(copies).toHaveLength(8);
					expect(new Set(copies.map((e) => e.upstreams.at(-1))).size).toBe(1);
				}
				process.stdout.write(
					`[resilience queue] 10 deliveries x 8 concurrent copies through the front: runs per delivery ${JSON.stringify(applicants.map((u) => runs.get(u)))}\n`,
				);
			}),
			180_000,
		);

		test(
			'failover: with one webhook process killed, the front sends its deliveries to the other, and each runs once; after its restart, resends start nothing',
			withLog(async () => {
				const { workflow } = ctx;
				const front = topology().front;
				const [killed, survivor] = webhookServers();
				const address = (p) => new URL(p.baseUrl).host;
				// six deliveries the front sends to the process about to die, six to the other
				const routed = { [address(killed)]: [], [address(survivor)]: [] };
				for (let n = 1; routed[address(killed)].length < 6 || routed[address(survivor)].length < 6; n++) {
					if (n > 200) throw new Error(`the front routed 200 deliveries as ${JSON.stringify(routed)}: is one process marked down?`);
					const [uid] = uids(`FAILOVER-${n}`, 1);
					const upstream = await front.routeOf(deliveryUrl(), deliveryFor(deliveryUrl(), uid).signature);
					if (routed[upstream].length < 6) routed[upstream].push(uid);
				}
				const applicants = [...routed[address(killed)], ...routed[address(survivor)]];
				await killed.kill();
				const answers = [];
				try {
					for (const uid of applicants) answers.push(await send(deliveryFor(deliveryUrl(), uid)));
				} finally {
					await killed.start();
				}
				expect(answers.map(outcome)).toEqual(Array(12).fill('200 accepted'));
				const tags = new Set(applicants.map((uid) => deliveryFor(deliveryUrl(), uid).signature.slice(0, 12)));
				const served = await front.accessLogWhen((e) => e.method === 'POST' && tags.has(e.tag), 12);
				expect(served.map((e) => e.upstreams.at(-1))).toEqual(Array(12).fill(address(survivor)));
				const passedOn = served.filter((e) => e.upstreams.length > 1).length;

				await topology().waitForWebhooks(workflow);
				for (const uid of applicants) expect(outcome(await send(deliveryFor(deliveryUrl(), uid)))).toBe('200 duplicate');
				const { runs } = await runsOf(workflow.id, 'FAILOVER');
				expect(applicants.map((uid) => runs.get(uid))).toEqual(Array(12).fill(1));
				process.stdout.write(
					`[resilience queue] failover: 12 deliveries (6 routed to ${killed.name}) sent while it was down, all answered by ` +
						`${survivor.name}; ${passedOn} of them were refused by ${killed.name}'s closed port first and passed on\n`,
				);
			}),
			300_000,
		);

		test(
			'the main process is killed: deliveries go on through the webhook processes and the worker',
			withLog(async () => {
				const { urls, workflow } = ctx;
				const [uid] = uids('NOMAIN', 1);
				await n8n().kill();
				const answers = [await send(deliveryFor(deliveryUrl(), uid)), await send(deliveryFor(urls[1], uid))];
				await n8n().start();
				expect(answers.map(outcome)).toEqual(['200 accepted', '200 duplicate']);
				await expectOneSuccessfulRun(workflow.id, 'NOMAIN', uid);
			}),
			300_000,
		);

		test(
			'no worker running: the delivery is answered 200 once queued and runs when a worker is back',
			withLog(async () => {
				const { workflow } = ctx;
				const [uid] = uids('NOWORKER', 1);
				await runner().kill();
				expect(outcome(await send(deliveryFor(deliveryUrl(), uid)))).toBe('200 accepted');
				await sleep(2000);
				expect((await executionsOf(database(), workflow.id)).filter((e) => e.status === 'new')).toHaveLength(1);
				await runner().start();
				await expectOneSuccessfulRun(workflow.id, 'NOWORKER', uid);
			}),
			300_000,
		);

		test(
			'PostgreSQL is killed and restarted: no 200 while it is down, and the resend runs once',
			withLog(async () => {
				const { workflow } = ctx;
				const [uid] = uids('PGDOWN', 1);
				await database().kill();
				const whileDown = await Promise.race([send(deliveryFor(deliveryUrl(), uid)), sleep(20_000).then(() => null)]);
				await database().start();
				// n8n processes that gave up on the database are started again, as a supervisor would
				const exited = topology().n8nProcesses.filter((p) => !p.running);
				for (const p of exited) await p.start();
				await topology().waitForWebhooks(workflow);
				process.stdout.write(
					`[resilience queue] delivery while PostgreSQL was down: ${whileDown ? outcome(whileDown) : 'no answer within 20 s'}; ` +
						`n8n processes that exited: ${JSON.stringify(exited.map((p) => p.name))}\n`,
				);
				if (whileDown) expect(whileDown.status).not.toBe(200);
				expect((await sendUntil200(() => deliveryUrl(), uid)).at(-1).status).toBe(200);
				const { runs } = await runsOf(workflow.id, 'PGDOWN');
				expect(runs.get(uid)).toBe(1);
			}),
			300_000,
		);

		test(
			'Redis goes away: no 200 while the delivery cannot be queued, and the resend runs once',
			withLog(async () => {
				const { workflow } = ctx;
				const [uid] = uids('REDIS', 1);
				const { redis } = ctx.started;
				await redis.kill();
				const pending = send(deliveryFor(deliveryUrl(), uid));
				const early = await Promise.race([pending, sleep(5000).then(() => null)]);
				if (early) expect(early.status).not.toBe(200);
				await redis.start();
				const late = early ?? (await pending);
				process.stdout.write(`[resilience queue] delivery while Redis was down: ${outcome(late)}${early ? '' : ' (after Redis was back)'}\n`);
				expect((await sendUntil200(() => deliveryUrl(), uid)).at(-1).status).toBe(200);
				const { runs } = await runsOf(workflow.id, 'REDIS');
				expect(runs.get(uid)).toBe(1);
			}),
			300_000,
		);
	}
}
