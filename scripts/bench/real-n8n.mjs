// Items 3 to 5 of the bench, in real n8n started by the harness (startTopology):
//  3. one process on SQLite with the workflows of workflows.mjs, loaded alike at each concurrency,
//     the workflows' order alternating from round to round;
//  4. the durable acknowledgement (this tree) against the immediate one (an earlier revision, packed by
//     packRevision) in two single-process n8n instances side by side, rounds alternating;
//  5. queue mode (main, a worker, webhook processes behind the front, PostgreSQL, Redis) with one and two
//     webhook processes, through the front, and what each server uses per delivery.

import { startTopology } from '../lib/n8n-harness.mjs';
import { measureRound, residentBytes, uniqueDeliveries } from './n8n-load.mjs';
import { perDelivery, usageOf } from './process-usage.mjs';
import { median } from './stats.mjs';
import { activateBenchWorkflows, END_NODE, fillRetryMemory, HEADER_AUTH } from './workflows.mjs';

export const BENCH_API_KEY = 'bench-begini-api-key-7f3e21';
/**
 * n8n's setting to start an expression isolate only for a request or execution that evaluates an expression.
 * By default n8n 2.41 starts one for every request to a start node other than its own Webhook node, and for
 * every execution; part 3 runs in both.
 */
export const LAZY_ISOLATES_ENV = { N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE: 'true' };
const quietLog = () => {};
/** Deliveries sent to each workflow before any measured round. */
const WARM_UP = 30;

let batchCount = 0;
/** Deliveries nobody has sent before, so that the Begini Trigger accepts every one. */
const freshDeliveries = (count) => uniqueDeliveries(count, `APP-BENCH-${process.pid}-${++batchCount}`, BENCH_API_KEY);

/** The medians of a list of rounds, with their sums of errors and executions. */
export function summarizeRounds(rounds) {
	const pick = (key) => median(rounds.map((r) => r[key]));
	const sum = (key) => rounds.reduce((s, r) => s + r[key], 0);
	return {
		rounds: rounds.length,
		answeredPerS: pick('answeredPerS'),
		executedPerS: pick('executedPerS'),
		p50: pick('p50'),
		p99: pick('p99'),
		sent: sum('sent'),
		answered: sum('answered'),
		executions: sum('executions'),
		failed: sum('non2xx') + sum('errors'),
	};
}

async function startSingle(tarball, folderPrefix, env = {}) {
	const topology = await startTopology({ kind: 'single', tarball, folderPrefix, env, log: quietLog });
	await topology.main.setupOwner();
	return topology;
}

const mainPid = (topology) => topology.main.child?.pid;

/**
 * A workflow whose check failed would stop before its NoOp (the hand-built flow's IF sends a mismatch
 * nowhere) and do less than the others: the comparison would flatter it. Checks the latest execution.
 */
async function checkReachesTheEnd(topology, target) {
	const [latest] = await topology.main.listExecutions(target.id, { limit: 1 });
	const execution = latest && (await topology.main.getExecution(latest.id));
	if (!execution?.nodesRun.includes(END_NODE)) {
		throw new Error(`${target.label}: the execution did not reach "${END_NODE}" (ran ${execution?.nodesRun.join(', ')}); the comparison would be unfair.`);
	}
}

/** Item 3, in an n8n started with `env` more. Returns { byConcurrency: { [c]: { [workflowKey]: summary } }, memory: { before, after } }. */
export async function compareWorkflows({ tarball, concurrencies, rounds, deliveriesAt, env, log }) {
	const topology = await startSingle(tarball, 'bench-single', env);
	try {
		const active = await activateBenchWorkflows(topology, BENCH_API_KEY);
		const storedBytes = await fillRetryMemory(topology.database, active.beginiFull.id);
		const targets = Object.values(active);
		// a warm-up per workflow, so that no round pays for n8n's first executions (JIT, caches) of a workflow
		for (const target of targets) await measureRound({ target, database: topology.database, deliveries: freshDeliveries(WARM_UP), connections: 4, headers: { [HEADER_AUTH.name]: HEADER_AUTH.value } });
		for (const target of targets) await checkReachesTheEnd(topology, target);
		const memory = { before: residentBytes(mainPid(topology)) };
		const byConcurrency = {};
		for (const connections of concurrencies) {
			const results = Object.fromEntries(targets.map((t) => [t.key, []]));
			for (let r = 0; r < rounds; r++) {
				const order = r % 2 === 0 ? targets : [...targets].reverse();
				for (const target of order) {
					const round = await measureRound({
						target,
						database: topology.database,
						deliveries: freshDeliveries(deliveriesAt(connections)),
						connections,
						headers: { [HEADER_AUTH.name]: HEADER_AUTH.value },
					});
					log(`  c=${connections} ${target.label}: ${round.answeredPerS.toFixed(1)}/s, p99 ${round.p99} ms, ${round.executions}/${round.sent} executed`);
					results[target.key].push(round);
				}
			}
			byConcurrency[connections] = Object.fromEntries(Object.entries(results).map(([k, v]) => [k, summarizeRounds(v)]));
		}
		memory.after = residentBytes(mainPid(topology));
		const [{ bytes: storedAfter }] = await topology.database.query(`SELECT length(staticData) AS bytes FROM workflow_entity WHERE id = '${active.beginiFull.id}'`);
		return { byConcurrency, memory, fullMemory: { before: storedBytes, after: storedAfter }, labels: Object.fromEntries(targets.map((t) => [t.key, t.label])) };
	} finally {
		await topology.stop();
	}
}

/** Item 4: { immediate, durable } summaries at one concurrency, from alternating rounds in two instances. */
export async function compareAcknowledgement({ tarball, baselineTarball, connections, rounds, deliveries, log }) {
	const instances = [];
	try {
		for (const [name, pack] of [['immediate', baselineTarball], ['durable', tarball]]) {
			const topology = await startSingle(pack, `bench-ack-${name}`);
			const { begini } = await activateBenchWorkflows(topology, BENCH_API_KEY, ['begini']);
			instances.push({ name, topology, target: begini });
		}
		const results = { immediate: [], durable: [] };
		for (let r = 0; r < rounds; r++) {
			for (const instance of r % 2 === 0 ? instances : [...instances].reverse()) {
				const round = await measureRound({ target: instance.target, database: instance.topology.database, deliveries: freshDeliveries(deliveries), connections });
				log(`  ${instance.name}: answered ${round.answeredPerS.toFixed(1)}/s, executed ${round.executedPerS.toFixed(1)}/s, p99 ${round.p99} ms`);
				results[instance.name].push(round);
			}
		}
		return { immediate: summarizeRounds(results.immediate), durable: summarizeRounds(results.durable) };
	} finally {
		for (const instance of instances) await instance.topology.stop();
	}
}

/**
 * Item 5: the Begini Trigger in queue mode (one worker) with each number of webhook processes, deliveries sent
 * through the front as Begini sends them, in an n8n started with `env` more. Besides throughput, what each
 * server (front, webhook processes, worker, main, PostgreSQL, Redis) used per delivery: CPU ms over the rounds
 * (from the first request to the last execution's end), and its memory after them.
 * Returns { [webhookProcesses]: summary & { usage: { [server]: { cpuMsPerDelivery, rssBytes } } } }.
 */
export async function measureQueueMode({ tarball, webhookCounts, connections, rounds, deliveries, env, log }) {
	const results = {};
	for (const webhookProcesses of webhookCounts) {
		const topology = await startTopology({ kind: 'queue', tarball, webhookProcesses, env, folderPrefix: `bench-queue-${webhookProcesses}`, log: quietLog });
		try {
			await topology.main.setupOwner();
			// its url is where Begini sends: through the front
			const { begini: target } = await activateBenchWorkflows(topology, BENCH_API_KEY, ['begini']);
			await measureRound({ target, database: topology.database, deliveries: freshDeliveries(WARM_UP), connections: 4 });
			const servers = serversOf(topology);
			const list = [];
			const before = usageOf(servers);
			for (let r = 0; r < rounds; r++) {
				const round = await measureRound({ target, database: topology.database, deliveries: freshDeliveries(deliveries), connections });
				log(`  queue, ${webhookProcesses} webhook process(es): answered ${round.answeredPerS.toFixed(1)}/s, executed ${round.executedPerS.toFixed(1)}/s, p99 ${round.p99} ms`);
				list.push(round);
			}
			const executed = list.reduce((sum, round) => sum + round.executions, 0);
			results[webhookProcesses] = { ...summarizeRounds(list), usage: perDelivery(before, usageOf(servers), executed) };
		} finally {
			await topology.stop();
		}
	}
	return results;
}

/** A queue topology's servers by the name the results give them. */
function serversOf(topology) {
	const { main, workers, webhooks } = topology.processes;
	return {
		front: topology.front,
		...Object.fromEntries(webhooks.map((p, i) => [`webhook-${i + 1}`, p])),
		...Object.fromEntries(workers.map((p, i) => [`worker-${i + 1}`, p])),
		main,
		postgres: topology.database,
		redis: topology.redis,
	};
}
