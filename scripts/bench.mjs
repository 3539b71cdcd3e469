#!/usr/bin/env node
// `npm run bench`: what the Begini Trigger costs, against what a user would use instead, every figure a ratio
// against a baseline measured in the same run (see scripts/README.md, "npm run bench"). Prints one table and
// writes it, with the details, the machine and a growth chart, to bench/results/<date>-<host>.md and .svg (the
// raw figures to .json), and copies the first two to bench/results/latest.md and latest.svg (what the README
// shows).
//
//   npm run bench                  # the full run, about 15 minutes on 2 cores
//   npm run bench -- --quick       # a smoke run of every part but queue mode and the acknowledgement, under 3 minutes
//   npm run bench -- --skip queue,ack,n8n   # leave parts out: handler, memory, n8n, lazy, ack, queue
//   npm run bench -- --readme      # a full run that also puts its summary table into README.md

import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, hostname, loadavg, release, totalmem, type } from 'node:os';
import { join } from 'node:path';

import { measureHandlerCost, measureRetryMemory } from './bench/handler-cost.mjs';
import { formatNumber } from './bench/markdown.mjs';
import { compareAcknowledgement, compareWorkflows, LAZY_ISOLATES_ENV, measureQueueMode } from './bench/real-n8n.mjs';
import { growthChart, resultsMarkdown, SUMMARY_HEADERS, summaryRows } from './bench/report.mjs';
import { markdownTable } from './bench/markdown.mjs';
import { parseOptionsOrExit } from './lib/command-line.mjs';
import { DEFAULT_N8N_VERSION, DEFAULT_NODE_VERSION, ROOT, packPackage, packRevision } from './lib/n8n-harness.mjs';
import { run } from './lib/processes.mjs';

/** The bench's parts, in the order they run (--skip names them). */
const PARTS = ['handler', 'memory', 'n8n', 'lazy', 'ack', 'queue'];
const HELP = `Usage: npm run bench -- [--quick] [--skip handler,memory,n8n,lazy,ack,queue] [--baseline REV] [--readme]`;
/** Where README.md's Performance section holds the latest summary table (replaced by --readme). */
const README_MARKERS = ['<!-- bench-summary:start -->', '<!-- bench-summary:end -->'];
const args = parseOptionsOrExit(
	{
		quick: { type: 'boolean', default: false },
		skip: { type: 'string', default: '' },
		// the last revision whose trigger answered 200 itself, before n8n stored the execution
		baseline: { type: 'string', default: 'f794b7d' },
		// a full run only: put its summary table into README.md's Performance section
		readme: { type: 'boolean', default: false },
	},
	HELP,
);

const PLANS = {
	quick: {
		name: 'quick',
		description: 'a smoke run (few rounds, the default retry memory only, concurrency 8 only, no acknowledgement or queue-mode comparison): its figures are rough.',
		handler: { rounds: 5, batch: 100 },
		memory: { capacities: [5000], rounds: 3, batch: 100 },
		n8n: { concurrencies: [8], rounds: 1, deliveriesAt: () => 80 },
		skip: ['ack', 'queue'],
	},
	full: {
		name: 'full',
		description: 'medians of alternating rounds.',
		handler: { rounds: 15, batch: 300 },
		memory: { rounds: 5, batch: 100 },
		n8n: { concurrencies: [1, 8, 32], rounds: 2, deliveriesAt: (c) => (c === 1 ? 100 : 250) },
		ack: { connections: 8, rounds: 4, deliveries: 250 },
		queue: { webhookCounts: [1, 2], connections: 16, rounds: 2, deliveries: 300 },
		skip: [],
	},
};
const plan = PLANS[args.quick ? 'quick' : 'full'];
const skipped = new Set([...plan.skip, ...args.skip.split(',').filter(Boolean)]);
const log = (line) => console.log(line);

const startedAt = Date.now();
const machine = {
	date: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
	host: hostname(),
	cpuModel: cpus()[0]?.model ?? 'unknown CPU',
	cores: cpus().length,
	memoryBytes: totalmem(),
	os: `${type()} ${release()}`,
	node: process.version,
	n8nVersion: DEFAULT_N8N_VERSION,
	n8nNode: DEFAULT_NODE_VERSION,
	revision: (await run('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT })).stdout.trim(),
	loadBefore: loadavg()[0],
};
const results = {};
const notes = [];

if (!skipped.has('handler')) {
	log('1. handler cost in process…');
	results.handler = await measureHandlerCost(plan.handler);
}
if (!skipped.has('memory')) {
	log('2. retry memory…');
	results.memory = await measureRetryMemory({ ...plan.memory, log });
}
const needsN8n = ['n8n', 'lazy', 'ack', 'queue'].some((part) => !skipped.has(part));
const tarball = needsN8n ? await packPackage({ build: true, log: () => {} }) : undefined;
if (!skipped.has('n8n')) {
	log('3. one n8n process: Begini Trigger, Webhook + Header Auth (version 2.1 and 1), Webhook + Crypto + IF, bare Webhook…');
	results.single = await compareWorkflows({ tarball, ...plan.n8n, log });
}
if (!skipped.has('lazy')) {
	log('3. the same, n8n starting expression isolates only for requests that need one (N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE=true)…');
	results.singleLazy = await compareWorkflows({ tarball, ...plan.n8n, env: LAZY_ISOLATES_ENV, log });
}
if (!skipped.has('ack')) {
	log(`4. durable acknowledgement against the immediate one (${args.baseline})…`);
	const baselineTarball = await packRevision(args.baseline, { log: () => {} });
	results.acknowledgement = await compareAcknowledgement({ tarball, baselineTarball, ...plan.ack, log });
}
if (!skipped.has('queue')) {
	log('5. queue mode through the front, one and two webhook processes, with n8n\'s defaults and with lazy isolates…');
	results.queue = {
		defaults: await measureQueueMode({ tarball, ...plan.queue, log }),
		lazy: await measureQueueMode({ tarball, ...plan.queue, env: LAZY_ISOLATES_ENV, log }),
	};
}

machine.loadAfter = loadavg()[0];
notes.push(`The run took ${formatNumber((Date.now() - startedAt) / 60_000, 1)} minutes.`);
const markdown = resultsMarkdown({ machine, plan, results, notes });
const chart = growthChart(results);
const dir = join(ROOT, 'bench', 'results');
mkdirSync(dir, { recursive: true });
// a full run of every part is the latest; a quick run, or one with parts left out, is named for what it is
const complete = plan.name === 'full' && skipped.size === 0;
const partial = plan.name === 'full' && !complete ? `-only-${PARTS.filter((part) => !skipped.has(part)).join('-')}` : '';
const stem = `${machine.date.slice(0, 10)}-${machine.host.replace(/[^\w.-]+/g, '-')}${plan.name === 'quick' ? '-quick' : partial}`;
writeFileSync(join(dir, `${stem}.md`), markdown.replace('(latest.svg)', `(${stem}.svg)`));
if (chart) writeFileSync(join(dir, `${stem}.svg`), chart);
// the raw figures, to redraw the chart or compare runs without running them again
writeFileSync(join(dir, `${stem}.json`), `${JSON.stringify({ machine, plan: plan.name, results }, null, 1)}\n`);
if (complete) {
	copyFileSync(join(dir, `${stem}.md`), join(dir, 'latest.md'));
	if (chart) copyFileSync(join(dir, `${stem}.svg`), join(dir, 'latest.svg'));
}
const summary = markdownTable(SUMMARY_HEADERS, summaryRows(results));
if (args.readme && complete) {
	replaceBetweenMarkers(join(ROOT, 'README.md'), README_MARKERS, `${machineLine(machine)}\n\n${summary}`);
}
console.log(`\n${summary}\n`);
console.log(`Written: bench/results/${stem}.md${chart ? ` and ${stem}.svg` : ''}${complete ? ' (and latest.md, latest.svg)' : ''}`);

/** One line on where and when the figures were measured, above the README's copy of the table. */
function machineLine(m) {
	return `Measured ${m.date} on ${m.cores} cores (${m.cpuModel}), load average ${m.loadBefore.toFixed(1)} → ${m.loadAfter.toFixed(1)}, n8n ${m.n8nVersion}; details in [bench/results/latest.md](bench/results/latest.md).`;
}

function replaceBetweenMarkers(file, [start, end], content) {
	const text = readFileSync(file, 'utf8');
	const from = text.indexOf(start);
	const to = text.indexOf(end);
	if (from === -1 || to < from) throw new Error(`${file} has no ${start} … ${end} section`);
	writeFileSync(file, `${text.slice(0, from + start.length)}\n${content}\n${text.slice(to)}`);
}
