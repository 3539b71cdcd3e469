#!/usr/bin/env node
// `npm run measure:ack`: what the durable acknowledgement costs. Two single-process n8n instances run
// side by side, one with this package and one with an earlier revision that answered 200 before n8n
// stored the execution (default: f794b7d, the last such revision), each with the example workflow. Rounds of unique signed
// deliveries alternate between them at a fixed concurrency; each round counts the answers (throughput,
// p50 and p99 latency) and the time until every execution of the round has finished. Prints a table.
//
//   npm run measure:ack -- [--baseline REV] [--rounds 3] [--deliveries 300] [--concurrency 8]

import { copyFileSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { buildDelivery, customizePayload, loadFixture, sendDelivery } from './lib/begini-sender.mjs';
import { parseOptionsOrExit } from './lib/command-line.mjs';
import { inPool, percentile } from './lib/load-helpers.mjs';
import { CACHE_DIR, ROOT, packPackage, startTopology } from './lib/n8n-harness.mjs';
import { run } from './lib/processes.mjs';

const HELP = `Usage: npm run measure:ack -- [--baseline REV] [--rounds N] [--deliveries N] [--concurrency N]`;
const args = parseOptionsOrExit(
	{
		// the last revision whose trigger answered 200 itself, before n8n stored the execution
		baseline: { type: 'string', default: 'f794b7d' },
		rounds: { type: 'string', default: '3' },
		deliveries: { type: 'string', default: '300' },
		concurrency: { type: 'string', default: '8' },
	},
	HELP,
);
const KEY = 'measure-ack-api-key-52c1d9';
const EXAMPLE = join(ROOT, 'examples', 'begini-risk-routing.json');

/** Packs revision `rev` of this repository (built with this checkout's node_modules) under another name. */
async function packRevision(rev) {
	const stage = join(CACHE_DIR, `stage-${rev.replace(/\W+/g, '-')}`);
	rmSync(stage, { recursive: true, force: true });
	mkdirSync(stage, { recursive: true });
	const archive = await run('bash', ['-c', `git archive ${JSON.stringify(rev)} | tar -x -C ${JSON.stringify(stage)}`], { cwd: ROOT });
	if (archive.code !== 0) throw new Error(`git archive ${rev} failed: ${archive.stderr}`);
	symlinkSync(join(ROOT, 'node_modules'), join(stage, 'node_modules'));
	const tarball = await packPackage({ cwd: stage, build: true });
	const renamed = tarball.replace(/\.tgz$/, `-${rev.replace(/\W+/g, '-')}.tgz`);
	copyFileSync(tarball, renamed);
	return renamed;
}

async function startWith(tarball, name) {
	const topology = await startTopology({ kind: 'single', tarball, folderPrefix: `measure-ack-${name}` });
	await topology.main.setupOwner();
	const credential = await topology.main.createCredential({
		name: 'Begini API',
		type: 'beginiApi',
		data: { apiKey: KEY, previousApiKey: '', environment: 'production' },
	});
	const workflow = await topology.activateWorkflow(EXAMPLE, { credentials: { beginiApi: credential } });
	return { name, topology, workflow, url: workflow.productionUrls[0] };
}

async function unfinished(target) {
	const list = await target.topology.main.listExecutions(target.workflow.id, { limit: 20 });
	return list.filter((e) => ['new', 'running'].includes(e.status)).length;
}

async function round(target, index) {
	const count = Number(args.deliveries);
	const latencies = [];
	let failures = 0;
	const startedAt = performance.now();
	await inPool(Array.from({ length: count }, (_, n) => n), Number(args.concurrency), async (n) => {
		const uid = `APP-MEASURE-${target.name}-${index}-${n}`;
		const delivery = buildDelivery({ url: target.url, key: KEY, payload: customizePayload(loadFixture(), { uid }) });
		const t0 = performance.now();
		const answer = await sendDelivery(delivery);
		latencies.push(performance.now() - t0);
		if (answer.status !== 200 || answer.json?.status !== 'accepted') failures++;
	});
	const answeredS = (performance.now() - startedAt) / 1000;
	while ((await unfinished(target)) > 0) await sleep(200);
	const finishedS = (performance.now() - startedAt) / 1000;
	latencies.sort((a, b) => a - b);
	return { answeredPerS: count / answeredS, executedPerS: count / finishedS, p50: percentile(latencies, 50), p99: percentile(latencies, 99), failures };
}

const mean = (rows, key) => rows.reduce((sum, r) => sum + r[key], 0) / rows.length;

const baselineTarball = await packRevision(args.baseline);
const currentTarball = await packPackage({ build: true });
const targets = [await startWith(baselineTarball, 'immediate'), await startWith(currentTarball, 'durable')];
try {
	const results = { immediate: [], durable: [] };
	for (let r = 0; r < Number(args.rounds); r++) {
		for (const target of r % 2 === 0 ? targets : [...targets].reverse()) results[target.name].push(await round(target, r));
	}
	const row = (name) => {
		const rows = results[name];
		return { name, answered: mean(rows, 'answeredPerS'), executed: mean(rows, 'executedPerS'), p50: mean(rows, 'p50'), p99: mean(rows, 'p99'), failures: rows.reduce((s, r) => s + r.failures, 0) };
	};
	const [immediate, durable] = [row('immediate'), row('durable')];
	console.log(`\n${args.rounds} alternating rounds of ${args.deliveries} unique deliveries at concurrency ${args.concurrency} (means):\n`);
	console.log('| answer | answered/s | executions done/s | p50 ms | p99 ms | not accepted |');
	console.log('|---|---|---|---|---|---|');
	for (const r of [immediate, durable]) {
		console.log(`| ${r.name} | ${r.answered.toFixed(1)} | ${r.executed.toFixed(1)} | ${r.p50.toFixed(0)} | ${r.p99.toFixed(0)} | ${r.failures} |`);
	}
	console.log(
		`| durable ÷ immediate | ${(durable.answered / immediate.answered).toFixed(2)} | ${(durable.executed / immediate.executed).toFixed(2)} | ${(durable.p50 / immediate.p50).toFixed(2)} | ${(durable.p99 / immediate.p99).toFixed(2)} | |`,
	);
} finally {
	for (const target of targets) await target.topology.stop();
}
