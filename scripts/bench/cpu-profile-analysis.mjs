// Reading a V8 CPU profile (`node --cpu-prof`) of n8n's main process: the samples of a time window
// (monotonic microseconds, the clock of process.hrtime on the same machine), each given to one cost
// centre by the frames on its stack, and self time by module. Pure: no I/O.

/**
 * Cost centres, first match wins, each tested against every frame of a sample's stack (url and function
 * name). The specific ones come first: a static-data save inside n8n's webhook handling counts as the save.
 * A stack holds only the synchronous part: work resumed after an `await` starts from the microtask queue,
 * so it is found by the module it runs in (TypeORM, sqlite3) rather than by the n8n function that awaited.
 */
export const COST_CENTRES = [
	{ name: 'Begini node (webhook(), HMAC, memory)', test: (f) => f.url.includes('/node_modules/n8n-nodes-begini/') },
	{ name: 'static data load/save (WorkflowStaticDataService)', test: (f) => f.url.includes('workflow-static-data.service') },
	{ name: 'credential load + decrypt', test: (f) => /credentials-helper|n8n-core\/dist\/(credentials|encryption)/.test(f.url) },
	{ name: 'execution storing (create/update, hooks)', test: (f) => /execution-persistence|execution\.repository|execution-lifecycle|execution-data/.test(f.url) },
	{ name: 'workflow + webhook lookup from DB', test: (f) => /live-webhooks\.js$|webhook\.service|workflow\.repository|webhook\.repository/.test(f.url) && /load|find|get/i.test(f.functionName) },
	{ name: 'workflow run (WorkflowExecute, nodes)', test: (f) => /workflow-execute|workflow-runner|n8n-nodes-base/.test(f.url) },
	{ name: "n8n webhook handling (rest)", test: (f) => f.url.includes('/n8n/dist/webhooks/') },
	{ name: 'TypeORM + sqlite3 (JS side)', test: (f) => /\/typeorm\/|\/sqlite3\/|@n8n\/typeorm|@n8n\/db/.test(f.url) },
	{ name: 'HTTP, express, body parsing', test: (f) => /\/express\/|body-parser|raw-body|node:_http|node:net|node:stream|_http_/.test(f.url) },
	{ name: 'event bus, logging', test: (f) => /eventbus|event-bus|winston|logger|logform/.test(f.url) },
	{ name: 'garbage collector', test: (f) => f.functionName === '(garbage collector)' },
];
const OTHER = 'other JS / (program)';
const IDLE = '(idle)';

/** Cross-cutting figures counted on top (a sample may be in one of these and in a cost centre). */
export const CROSS_CUTTING = [
	// JSON.parse/stringify get no frame of their own in V8's profile: their time is their caller's self time,
	// here TypeORM's simple-json columns (a workflow's staticData, read on every request, written on save)
	{ name: 'TypeORM simple-json parse/stringify (staticData column)', test: (f) => /^(stringToSimpleJson|simpleJsonToString)$/.test(f.functionName) },
	{ name: 'flatted (execution data serialisation)', test: (f) => f.url.includes('/flatted/') },
	// n8n 2.x's expression engine: an isolated-vm isolate per acquire/release, disposed and replaced after use
	{ name: 'expression isolates (@n8n/expression-runtime)', test: (f) => f.url.includes('/@n8n/expression-runtime/') },
];

/** Module of a frame's url: the package under node_modules, a node: builtin, or the callFrame kind. */
export function moduleOf(url) {
	if (!url) return '(native / V8)';
	if (url.startsWith('node:')) return 'node core';
	const parts = url.split('/node_modules/');
	if (parts.length < 2) return url.split('/').slice(-2).join('/');
	const last = parts[parts.length - 1].split('/');
	return last[0].startsWith('@') ? `${last[0]}/${last[1]}` : last[0];
}

/** Timestamps (µs) and the interval each sample stands for, from the profile's startTime and timeDeltas. */
function sampleTimes(profile) {
	const times = new Array(profile.samples.length);
	let t = profile.startTime;
	for (let i = 0; i < profile.samples.length; i++) times[i] = t += profile.timeDeltas[i];
	return times;
}

/**
 * Attributes the samples in each window. `windows` = [{ key, fromUs, toUs, deliveries }]. Returns per key:
 * { deliveries, busyMs, idleMs, centres: {name: ms}, crossCutting: {name: ms}, modules / functions: {name: self ms} },
 * the ms summed over the key's windows (divide by deliveries for ms per delivery).
 */
export function attribute(profile, windows) {
	const byId = new Map(profile.nodes.map((n) => [n.id, n]));
	const parent = new Map();
	for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
	const stackOf = (id) => {
		const frames = [];
		for (let cur = id; cur !== undefined; cur = parent.get(cur)) frames.push(byId.get(cur).callFrame);
		return frames;
	};
	const verdict = new Map();
	const classify = (id) => {
		if (!verdict.has(id)) {
			const stack = stackOf(id);
			const leaf = stack[0];
			const centre = leaf.functionName === IDLE ? IDLE : (COST_CENTRES.find((c) => stack.some(c.test))?.name ?? OTHER);
			const cross = CROSS_CUTTING.filter((c) => stack.some(c.test)).map((c) => c.name);
			const module = leaf.functionName.startsWith('(') ? leaf.functionName : moduleOf(leaf.url);
			verdict.set(id, { centre, cross, module, fn: `${leaf.functionName || '(anonymous)'} [${module}]` });
		}
		return verdict.get(id);
	};
	const times = sampleTimes(profile);
	const result = {};
	for (const w of windows) {
		const r = (result[w.key] ??= { deliveries: 0, busyMs: 0, idleMs: 0, centres: {}, crossCutting: {}, modules: {}, functions: {} });
		r.deliveries += w.deliveries;
		for (let i = 0; i < times.length; i++) {
			if (times[i] < w.fromUs || times[i] >= w.toUs) continue;
			const ms = (profile.timeDeltas[i + 1] ?? profile.timeDeltas[i]) / 1000;
			const v = classify(profile.samples[i]);
			if (v.centre === IDLE) {
				r.idleMs += ms;
				continue;
			}
			r.busyMs += ms;
			r.centres[v.centre] = (r.centres[v.centre] ?? 0) + ms;
			r.modules[v.module] = (r.modules[v.module] ?? 0) + ms;
			r.functions[v.fn] = (r.functions[v.fn] ?? 0) + ms;
			for (const name of v.cross) {
				r.crossCutting[name] = (r.crossCutting[name] ?? 0) + ms;
				// and which cost centre it happened in
				r.crossCutting[`${name} in: ${v.centre}`] = (r.crossCutting[`${name} in: ${v.centre}`] ?? 0) + ms;
			}
		}
	}
	return result;
}
