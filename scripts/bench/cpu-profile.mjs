#!/usr/bin/env node
// Where a delivery's CPU goes in n8n: one single-process n8n (SQLite) run with `node --cpu-prof`, the
// bench's workflows loaded alike (autocannon, alternating rounds, as `npm run bench`), the main thread's
// samples of each round given to cost centres (cpu-profile-analysis.mjs), and every thread's CPU time
// from /proc (the JS main thread; isolated-vm's; libuv's pool, where sqlite3 runs its statements; V8's
// GC helpers; the profiler's own "v8:ProfEvntProc", which is overhead).
//
//   node scripts/bench/cpu-profile.mjs [--rounds 2] [--deliveries 200] [--connections 8]
// Prints JSON (per workflow: ms per delivery by cost centre, by module, by thread) on stdout.

import { readdirSync, readFileSync, rmSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

import { parseOptionsOrExit } from '../lib/command-line.mjs';
import { CACHE_DIR, LOOPBACK_GUARD, packPackage, startTopology } from '../lib/n8n-harness.mjs';
import { attribute } from './cpu-profile-analysis.mjs';
import { measureRound, uniqueDeliveries } from './n8n-load.mjs';
import { BENCH_API_KEY } from './real-n8n.mjs';
import { activateBenchWorkflows, fillRetryMemory, HEADER_AUTH } from './workflows.mjs';

const args = parseOptionsOrExit(
	{
		rounds: { type: 'string', default: '2' },
		deliveries: { type: 'string', default: '200' },
		connections: { type: 'string', default: '8' },
		// more environment for n8n, as NAME=value, e.g. N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE=true
		'n8n-env': { type: 'string', multiple: true, default: [] },
	},
	'Usage: node scripts/bench/cpu-profile.mjs [--rounds N] [--deliveries N] [--connections N] [--n8n-env NAME=value ...]',
);
const WORKFLOWS = ['begini', 'beginiFull', 'headerAuth', 'bare'];
const headers = { [HEADER_AUTH.name]: HEADER_AUTH.value };
const log = (line) => console.error(line);
const nowUs = () => Number(process.hrtime.bigint() / 1000n); // CLOCK_MONOTONIC, the clock V8's profile uses

/** CPU ms of a process' threads by thread name, from /proc/<pid>/task. */
function threadCpuMs(pid) {
	const ticksMs = 10; // USER_HZ = 100 on Linux
	const out = {};
	for (const tid of readdirSync(`/proc/${pid}/task`)) {
		const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
		const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
		// Node 24 names its main thread "MainThread"; threads it starts unnamed (isolated-vm's, which run n8n's
		// expression isolates) inherit that name
		const name = tid === String(pid) ? 'JS main thread' : comm === 'MainThread' ? 'isolated-vm threads (expression isolates)' : comm;
		const [utime, stime] = stat.slice(stat.lastIndexOf(')') + 2).split(' ').slice(11, 13).map(Number);
		out[name] = (out[name] ?? 0) + (utime + stime) * ticksMs;
	}
	return out;
}

/** `NAME=value` → [NAME, value]. */
function nameAndValue(pair) {
	const at = pair.indexOf('=');
	if (at < 1) throw new Error(`--n8n-env takes NAME=value, not "${pair}"`);
	return [pair.slice(0, at), pair.slice(at + 1)];
}

const profileDir = join(CACHE_DIR, 'tmp', `cpu-profile-${process.pid}`);
mkdirSync(profileDir, { recursive: true });
const tarball = await packPackage({ build: true, log: () => {} });
const topology = await startTopology({
	kind: 'single',
	tarball,
	folderPrefix: 'bench-cpu-profile',
	log: () => {},
	// 500 µs sampling (half V8's default interval) on every Node process n8n starts; only the main's is read
	env: {
		...Object.fromEntries(args['n8n-env'].map(nameAndValue)),
		NODE_OPTIONS: `--require ${LOOPBACK_GUARD} --cpu-prof --cpu-prof-dir=${profileDir} --cpu-prof-interval=500`,
	},
});
const pid = topology.main.child.pid;
const windows = [];
const threads = {};
let batch = 0;
try {
	await topology.main.setupOwner();
	const active = await activateBenchWorkflows(topology, BENCH_API_KEY, WORKFLOWS);
	await fillRetryMemory(topology.database, active.beginiFull.id);
	const round = (target, count, connections) =>
		measureRound({ target, database: topology.database, deliveries: uniqueDeliveries(count, `APP-PROF-${process.pid}-${++batch}`, BENCH_API_KEY), connections, headers });
	for (const key of WORKFLOWS) await round(active[key], 30, 4); // warm-up: JIT, caches
	for (let r = 0; r < Number(args.rounds); r++) {
		for (const key of r % 2 === 0 ? WORKFLOWS : [...WORKFLOWS].reverse()) {
			const cpuBefore = threadCpuMs(pid);
			const fromUs = nowUs();
			const result = await round(active[key], Number(args.deliveries), Number(args.connections));
			const toUs = nowUs();
			const cpuAfter = threadCpuMs(pid);
			windows.push({ key, fromUs, toUs, deliveries: result.executions });
			threads[key] ??= {};
			for (const k of Object.keys(cpuAfter)) threads[key][k] = (threads[key][k] ?? 0) + cpuAfter[k] - (cpuBefore[k] ?? 0);
			log(`${key}: ${result.answeredPerS.toFixed(1)}/s answered, ${result.executions}/${result.sent} executed, failed ${result.non2xx + result.errors}`);
		}
	}
} finally {
	await topology.stop(); // the profile is written when n8n exits
}

const file = readdirSync(profileDir).find((f) => f.includes(`.${pid}.`) && f.endsWith('.cpuprofile'));
if (!file) throw new Error(`no CPU profile of the main process (${pid}) in ${profileDir}`);
const profile = JSON.parse(readFileSync(join(profileDir, file), 'utf8'));
const inProfile = windows.every((w) => w.fromUs >= profile.startTime && w.toUs <= profile.endTime);
if (!inProfile) throw new Error('the rounds are not inside the profile: the clocks differ');
const attributed = attribute(profile, windows);
const perDelivery = (obj, n) => Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, +(v / n).toFixed(3)]).sort((a, b) => b[1] - a[1]));
const report = Object.fromEntries(
	WORKFLOWS.map((key) => {
		const a = attributed[key];
		const n = a.deliveries;
		return [key, { deliveries: n, mainBusyMs: +(a.busyMs / n).toFixed(3), mainIdleMs: +(a.idleMs / n).toFixed(3), threads: perDelivery(threads[key], n), centres: perDelivery(a.centres, n), crossCutting: perDelivery(a.crossCutting, n), modules: perDelivery(a.modules, n), topFunctions: Object.fromEntries(Object.entries(perDelivery(a.functions, n)).slice(0, 25)) }];
	}),
);
console.log(JSON.stringify(report, null, 1));
// the profile stays for a look (Chrome DevTools, Performance → Load profile); the other processes' go
for (const f of readdirSync(profileDir)) if (f !== file) rmSync(join(profileDir, f));
log(`profile of the main process: ${join(profileDir, file)}`);
