// Items 1 and 2 of the bench, in this process, on the compiled node (dist/):
//  - handler cost: the node's whole `webhook()` path per delivery (read, verify, parse, filter, deduplicate,
//    shape, and remembering the delivery when n8n reads the answer) against a bare HMAC-SHA512 of the same
//    bytes, at 1 KB, 10 KB and 100 KB;
//  - retry memory: the same path with the stored memory empty, half full and full, at the default capacity
//    and the largest the node allows, and the size n8n stores for it.
// Baseline and node alternate in every round, on the same deliveries; the figures are medians of rounds.

import { createHash, createHmac } from 'node:crypto';
import { createRequire } from 'node:module';
import { join } from 'node:path';

import { loadFixture, signBody } from '../lib/begini-sender.mjs';
import { ROOT } from '../lib/paths.mjs';
import { median, ratio } from './stats.mjs';
import { loadBeginiTrigger, webhookContext } from './webhook-context.mjs';

const KEY = 'bench-begini-api-key-7f3e21';
const CREDENTIAL = { apiKey: KEY, previousApiKey: '', environment: 'production' };
const UID_PLACEHOLDER = '__BENCH_UID__';
/** The node's defaults and the largest Retry Memory (Deliveries) its parameter allows. */
export const DEFAULT_CAPACITY = 5000;
export const MAX_CAPACITY = 100_000;
/** Where n8n stores the node's static data inside the workflow's column. */
const STATIC_DATA_KEY = 'node:Begini Trigger';

/**
 * A psychometric score's JSON text of about `bytes` bytes (the sample event with more traits), with a
 * placeholder for the applicant id so that each delivery is unique at no cost.
 */
export function bodyTemplate(bytes) {
	const payload = loadFixture('psychometric_score.complete');
	payload.uid = UID_PLACEHOLDER;
	const traits = payload.event.details.calculated.traits;
	let text = JSON.stringify(payload);
	for (let i = 0; text.length < bytes; i++) {
		traits.push({ key: `trait_${String(i).padStart(5, '0')}`, value: '0.333333333333333', risk_band: 'C' });
		if (i % 16 === 0) text = JSON.stringify(payload);
	}
	return JSON.stringify(payload);
}

function signedDeliveries(template, count, prefix) {
	return Array.from({ length: count }, (_, n) => {
		const rawBody = Buffer.from(template.replace(UID_PLACEHOLDER, `${prefix}-${n}`), 'utf8');
		return { rawBody, headers: { 'content-type': 'application/json', 'x-signature': signBody(rawBody, KEY) } };
	});
}

/** The bare baseline: what any verifier must spend on a delivery. */
function bareHmac({ rawBody }) {
	return createHmac('sha512', Buffer.from(KEY, 'utf8')).update(rawBody).digest('hex');
}

/**
 * A floor for any trigger that verifies and identifies a delivery n8n has already parsed: the HMAC and one
 * SHA-256 of the same bytes (the node's delivery id), and nothing else.
 */
function verifyAndIdentify(delivery) {
	bareHmac(delivery);
	return createHash('sha256').update(delivery.rawBody).digest('base64url');
}

function microsPerItem(startedAt, count) {
	return ((performance.now() - startedAt) * 1000) / count;
}

function timeEach(work, deliveries) {
	const t0 = performance.now();
	for (const delivery of deliveries) work(delivery);
	return microsPerItem(t0, deliveries.length);
}

/**
 * Runs the node on each delivery as n8n does for an accepted one: n8n parses the JSON body, loads the node's
 * static data from the workflow's stored column (a fresh copy for every request), calls webhook(), reads the
 * answer (which remembers the delivery), and saves the static data whole. Checks that each was accepted. The
 * node's part and n8n's load and save of static data are timed apart (µs per delivery for each); n8n's body
 * parsing is not timed. `state.column` is the stored column.
 */
async function timeNode(trigger, deliveries, state, parameters = {}) {
	let nodeMs = 0;
	let n8nMs = 0;
	for (const { rawBody, headers } of deliveries) {
		const body = JSON.parse(rawBody.toString('utf8'));
		const loading = performance.now();
		const workflowStaticData = JSON.parse(state.column);
		const staticData = (workflowStaticData[STATIC_DATA_KEY] ??= {});
		const calling = performance.now();
		const context = webhookContext({ rawBody, body, headers, parameters, credential: CREDENTIAL, staticData, workflowId: state.workflowId });
		const result = await trigger.webhook.call(context);
		if (result.webhookResponse?.status !== 'accepted') {
			throw new Error(`bench delivery not accepted: ${context.response.statusCode} ${JSON.stringify(context.response.body)}`);
		}
		const saving = performance.now();
		state.column = JSON.stringify(workflowStaticData);
		nodeMs += saving - calling;
		n8nMs += calling - loading + (performance.now() - saving);
	}
	return { nodeMicros: (nodeMs * 1000) / deliveries.length, n8nMicros: (n8nMs * 1000) / deliveries.length };
}

let scopeCount = 0;
/** A new workflow id: a new, empty in-process record, as in a freshly started n8n. */
function freshScope(name) {
	return `bench-${name}-${++scopeCount}`;
}

/** A trigger's stored state as a freshly started n8n has it: no static data, an empty in-process record. */
function freshState(name) {
	return { column: '{}', workflowId: freshScope(name) };
}

/** Item 1: node against bare HMAC per body size. `rounds` alternating rounds of `batch` deliveries each. */
export async function measureHandlerCost({ sizes = [1_000, 10_000, 100_000], rounds, batch }) {
	const trigger = new (loadBeginiTrigger())();
	const rows = [];
	for (const bytes of sizes) {
		const template = bodyTemplate(bytes);
		const count = Math.max(20, Math.round((batch * 10_000) / Math.max(bytes, 10_000)));
		const bare = [];
		const floor = [];
		const node = [];
		const ratios = [];
		// untimed: the first deliveries of a size warm up the JIT for it
		await timeNode(trigger, signedDeliveries(template, count, `warm-${bytes}`), freshState('size'));
		for (let r = 0; r < rounds; r++) {
			const deliveries = signedDeliveries(template, count, `size-${bytes}-${r}`);
			const state = freshState('size');
			// alternate which goes first, so that none always runs on a warmer cache
			let b, f, n;
			if (r % 2 === 0) {
				b = timeEach(bareHmac, deliveries);
				f = timeEach(verifyAndIdentify, deliveries);
				n = (await timeNode(trigger, deliveries, state)).nodeMicros;
			} else {
				n = (await timeNode(trigger, deliveries, state)).nodeMicros;
				f = timeEach(verifyAndIdentify, deliveries);
				b = timeEach(bareHmac, deliveries);
			}
			bare.push(b);
			floor.push(f);
			node.push(n);
			ratios.push(n / b);
		}
		rows.push({
			bytes: Buffer.byteLength(template) - UID_PLACEHOLDER.length + 12,
			bareMicros: median(bare),
			floorMicros: median(floor),
			nodeMicros: median(node),
			ratio: median(ratios),
		});
	}
	return rows;
}

/** The bytes n8n stores for a workflow whose trigger remembers `memory` (its static data column). */
export function storedBytes(memory) {
	return Buffer.byteLength(JSON.stringify({ [STATIC_DATA_KEY]: { seenDeliveries: memory } }));
}

/** The compiled retry-memory modules: the in-process record's constants and the stored format. */
function loadRetryMemory() {
	const require = createRequire(import.meta.url);
	const dedupe = require(join(ROOT, 'dist', 'nodes', 'BeginiTrigger', 'dedupe.js'));
	const storedMemory = require(join(ROOT, 'dist', 'nodes', 'BeginiTrigger', 'storedMemory.js'));
	return { ...dedupe, ...storedMemory };
}

/**
 * Median µs of the extra work of a full write (adding back every delivery the process remembers, and
 * rebuilding the stored memory), on `memory` (of the `remembered` deliveries) with one delivery more, as it is
 * once the memory is full.
 */
function timeFullWrite(retryMemory, { memory, remembered }, capacity, repeats) {
	const now = Math.floor(Date.now() / 1000);
	const limits = { maxAgeSeconds: retryMemory.DEFAULT_RETRY_WINDOW_HOURS * 3600, maxEntries: capacity };
	const micros = [];
	for (let i = 0; i < repeats; i++) {
		const extra = createHash('sha256').update(`bench-extra-${i}`).digest('base64url').slice(0, 16);
		const t0 = performance.now();
		retryMemory.withDeliveries(memory, { entries: [...remembered, [extra, now]], rebuild: true }, now, limits);
		micros.push(microsPerItem(t0, 1));
	}
	return median(micros);
}

/**
 * `count` deliveries accepted over the last hour (`remembered`, [id, time] each), and the stored retry memory
 * that holds them, as the node's own rebuild writes it.
 */
function rememberedDeliveries(retryMemory, count, now) {
	const remembered = Array.from({ length: count }, (_, n) => [
		createHash('sha256').update(`bench-remembered-${n}`).digest('base64url').slice(0, 16),
		now - 3600 + Math.floor((n * 3600) / Math.max(1, count)),
	]);
	const limits = { maxAgeSeconds: retryMemory.DEFAULT_RETRY_WINDOW_HOURS * 3600, maxEntries: Math.max(1, count) };
	return { remembered, memory: retryMemory.withDeliveries('', { entries: remembered, rebuild: true }, now, limits) };
}

/** Where the control state keeps another node's static data, in the same workflow column. */
const BALLAST_KEY = 'node:Other Node';

/**
 * Item 2: cost per delivery with the memory empty, half full and full, for each capacity. Each state starts
 * from a stored memory of that many deliveries; then rounds of deliveries are timed, the states taking turns,
 * each round in a new process record after an untimed delivery that takes the full write it starts with.
 * Also: the extra cost of that full write (timed apart, on that memory, with the process remembering all of
 * it, as one that accepted them), what n8n spends loading and saving that static data on every delivery, and
 * the stored size.
 *
 * A fourth state, an empty memory beside as many bytes of another node's static data as the full memory,
 * tells apart what the memory's own work costs from what n8n's handling of that much static data costs the
 * node's code around it (n8n parses and re-serialises it just before and after, which evicts the node's
 * working set from the CPU caches).
 */
export async function measureRetryMemory({ capacities = [DEFAULT_CAPACITY, MAX_CAPACITY], rounds, batch, bodyBytes = 1_000, log = () => {} }) {
	const Trigger = loadBeginiTrigger();
	const trigger = new Trigger();
	const retryMemory = loadRetryMemory();
	const template = bodyTemplate(bodyBytes);
	const now = Math.floor(Date.now() / 1000);
	const rows = [];
	for (const capacity of capacities) {
		const parameters = { options: { retryMemorySize: capacity } };
		const memoryState = (fill, ballast = 0) => {
			const { remembered, memory } = rememberedDeliveries(retryMemory, fill, now);
			const staticData = fill === 0 ? {} : { [STATIC_DATA_KEY]: { seenDeliveries: memory } };
			if (ballast > 0) staticData[BALLAST_KEY] = { data: 'x'.repeat(ballast) };
			return { fill, ballast, remembered, memory, column: JSON.stringify(staticData), micros: [], n8nMicros: [] };
		};
		const states = [memoryState(0), memoryState(capacity / 2), memoryState(capacity)];
		states.push(memoryState(0, states[2].memory.length));
		log(`  memory of ${capacity}: ${states.map((s) => s.fill).join(', ')} remembered`);
		for (let r = 0; r < rounds; r++) {
			for (const state of r % 2 === 0 ? states : [...states].reverse()) {
				const [due, ...deliveries] = signedDeliveries(template, batch + 1, `memory-${capacity}-${state.fill}-${state.ballast}-${r}`);
				// A new process record for every round: a write checks what its process stored in the last
				// 10 seconds, which here would be every round so far; this way it is the round's own deliveries,
				// as for a process accepting about `batch` / 10 a second.
				state.workflowId = freshScope('memory');
				// untimed: takes the full write a new process record makes first, so the timed ones are all ordinary
				await timeNode(trigger, [due], state, parameters);
				const timed = await timeNode(trigger, deliveries, state, parameters);
				state.micros.push(timed.nodeMicros);
				state.n8nMicros.push(timed.n8nMicros);
			}
		}
		const emptyMicros = median(states[0].micros);
		for (const state of states) {
			rows.push({
				capacity,
				fill: state.fill,
				ballastBytes: state.ballast,
				nodeMicros: median(state.micros),
				ratioToEmpty: ratio(median(state.micros), emptyMicros),
				fullWriteMicros: timeFullWrite(retryMemory, state, capacity, 5),
				n8nLoadSaveMicros: median(state.n8nMicros),
				storedBytes: storedBytes(state.memory),
			});
		}
	}
	const full = rows.find((r) => r.fill === DEFAULT_CAPACITY && r.capacity === DEFAULT_CAPACITY);
	const fullWrite = { seconds: retryMemory.FULL_WRITE_SECONDS, share: retryMemory.SURPLUS_SHARE, maxSeconds: retryMemory.FULL_WRITE_MAX_SECONDS };
	return { rows, bytesPerDelivery: (full.storedBytes - storedBytes('')) / DEFAULT_CAPACITY, fullWrite };
}

/**
 * How many deliveries a process accepting `deliveriesPerSecond` spreads each full write over, by the node's
 * rule (`FULL_WRITE_SECONDS` in dedupe.ts): at least `seconds` and `share` of the capacity in deliveries, at
 * most `maxSeconds`.
 */
export function deliveriesPerFullWrite(fullWrite, capacity, deliveriesPerSecond) {
	const byShare = Math.max(deliveriesPerSecond * fullWrite.seconds, capacity * fullWrite.share);
	return Math.max(1, Math.min(byShare, deliveriesPerSecond * fullWrite.maxSeconds));
}

/** The node's cost per delivery with a memory, the full write spread over the deliveries it is due after. */
export function amortizedMicros(row, fullWrite, deliveriesPerSecond) {
	return row.nodeMicros + row.fullWriteMicros / deliveriesPerFullWrite(fullWrite, row.capacity, deliveriesPerSecond);
}
