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
import { setTimeout as sleep } from 'node:timers/promises';

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
 * A floor for any trigger that verifies, parses and identifies a delivery: the HMAC, one JSON.parse and one
 * SHA-256 of the same bytes (the node's delivery id), and nothing else.
 */
function verifyParseIdentify(delivery) {
	bareHmac(delivery);
	JSON.parse(delivery.rawBody.toString('utf8'));
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
 * Runs the node on each delivery as n8n does for an accepted one (webhook(), then reading the answer, which
 * remembers the delivery) and checks that each was accepted. Returns µs per delivery.
 */
async function timeNode(trigger, deliveries, { staticData, workflowId, parameters }) {
	const t0 = performance.now();
	for (const { rawBody, headers } of deliveries) {
		const context = webhookContext({ rawBody, headers, parameters, credential: CREDENTIAL, staticData, workflowId });
		const result = await trigger.webhook.call(context);
		if (result.webhookResponse?.status !== 'accepted') {
			throw new Error(`bench delivery not accepted: ${context.response.statusCode} ${JSON.stringify(context.response.body)}`);
		}
	}
	return microsPerItem(t0, deliveries.length);
}

let scopeCount = 0;
/** A new workflow id: a new, empty in-process record, as in a freshly started n8n. */
const freshScope = (name) => `bench-${name}-${++scopeCount}`;

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
		await timeNode(trigger, signedDeliveries(template, count, `warm-${bytes}`), { staticData: {}, workflowId: freshScope('size'), parameters: {} });
		for (let r = 0; r < rounds; r++) {
			const deliveries = signedDeliveries(template, count, `size-${bytes}-${r}`);
			const options = { staticData: {}, workflowId: freshScope('size'), parameters: {} };
			// alternate which goes first, so that none always runs on a warmer cache
			let b, f, n;
			if (r % 2 === 0) {
				b = timeEach(bareHmac, deliveries);
				f = timeEach(verifyParseIdentify, deliveries);
				n = await timeNode(trigger, deliveries, options);
			} else {
				n = await timeNode(trigger, deliveries, options);
				f = timeEach(verifyParseIdentify, deliveries);
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

/** The compiled retry-memory module, for timing the write the node does once in `FULL_WRITE_SECONDS`. */
function loadDedupe() {
	return createRequire(import.meta.url)(join(ROOT, 'dist', 'nodes', 'BeginiTrigger', 'dedupe.js'));
}

/**
 * Median µs of the extra work of a full write (adding back every delivery the process remembers, then
 * pruning), on copies of `memory` with one delivery over the limit, as it is once the memory is full.
 */
function timeFullWrite(dedupe, memory, capacity, repeats) {
	const now = Math.floor(Date.now() / 1000);
	const limits = { maxAgeSeconds: dedupe.DEFAULT_RETRY_WINDOW_HOURS * 3600, maxEntries: capacity };
	const remembered = Object.entries(memory);
	const micros = [];
	for (let i = 0; i < repeats; i++) {
		const copy = JSON.parse(JSON.stringify(memory));
		copy[`bench-extra-${i}`] = now;
		const t0 = performance.now();
		dedupe.addDeliveries(copy, remembered);
		dedupe.pruneDeliveries(copy, now, limits);
		micros.push(microsPerItem(t0, 1));
	}
	return median(micros);
}

/**
 * Item 2: cost per delivery with the memory empty, half full and full, for each capacity. Each state is
 * built by sending that many deliveries through the node first (so the stored memory and the process's
 * own record both hold them, as in a process that accepted them); then rounds of deliveries are timed,
 * the states taking turns, each round after an untimed delivery that takes any full write due. Also: the
 * extra cost of that full write, which the node does once in `FULL_WRITE_SECONDS`, what n8n spends loading
 * and saving that static data on every delivery (JSON.parse and JSON.stringify of the column), and the
 * stored size.
 */
export async function measureRetryMemory({ capacities = [DEFAULT_CAPACITY, MAX_CAPACITY], rounds, batch, bodyBytes = 1_000, log = () => {} }) {
	const Trigger = loadBeginiTrigger();
	const trigger = new Trigger();
	const dedupe = loadDedupe();
	const template = bodyTemplate(bodyBytes);
	const rows = [];
	for (const capacity of capacities) {
		const parameters = { options: { retryMemorySize: capacity } };
		const states = [];
		for (const fill of [0, capacity / 2, capacity]) {
			const state = { fill, staticData: {}, workflowId: freshScope('memory'), micros: [] };
			for (let sent = 0; sent < fill; sent += 1000) {
				const deliveries = signedDeliveries(template, Math.min(1000, fill - sent), `fill-${capacity}-${fill}-${sent}`);
				await timeNode(trigger, deliveries, { ...state, parameters });
			}
			state.memory = { ...state.staticData.seenDeliveries };
			states.push(state);
			log(`  memory of ${capacity}: ${fill} remembered`);
		}
		// Those were sent far faster than any sender would: let them age out of the deliveries every write
		// adds back (those stored since LOAD_BEFORE_CLAIM_SECONDS before its claim), as they would at a real rate.
		await sleep((dedupe.LOAD_BEFORE_CLAIM_SECONDS + 1) * 1000);
		for (let r = 0; r < rounds; r++) {
			for (const state of r % 2 === 0 ? states : [...states].reverse()) {
				const [due, ...deliveries] = signedDeliveries(template, batch + 1, `memory-${capacity}-${state.fill}-${r}`);
				// untimed: takes the full write if one is due, so that the timed ones are all ordinary writes
				await timeNode(trigger, [due], { ...state, parameters });
				state.micros.push(await timeNode(trigger, deliveries, { ...state, parameters }));
			}
		}
		const emptyMicros = median(states[0].micros);
		for (const state of states) {
			const column = JSON.stringify({ [STATIC_DATA_KEY]: { seenDeliveries: state.memory } });
			const t0 = performance.now();
			const repeats = 10;
			for (let i = 0; i < repeats; i++) JSON.stringify(JSON.parse(column));
			rows.push({
				capacity,
				fill: state.fill,
				nodeMicros: median(state.micros),
				ratioToEmpty: ratio(median(state.micros), emptyMicros),
				fullWriteMicros: timeFullWrite(dedupe, state.memory, capacity, 5),
				n8nLoadSaveMicros: microsPerItem(t0, repeats),
				storedBytes: storedBytes(state.memory),
			});
		}
	}
	const full = rows.find((r) => r.fill === DEFAULT_CAPACITY && r.capacity === DEFAULT_CAPACITY);
	return { rows, bytesPerDelivery: (full.storedBytes - storedBytes({})) / DEFAULT_CAPACITY, fullWriteSeconds: dedupe.FULL_WRITE_SECONDS };
}

/**
 * The node's cost per delivery with a memory, the full write spread over the deliveries of
 * `FULL_WRITE_SECONDS` at `deliveriesPerSecond`.
 */
export function amortizedMicros(row, fullWriteSeconds, deliveriesPerSecond) {
	return row.nodeMicros + row.fullWriteMicros / Math.max(1, deliveriesPerSecond * fullWriteSeconds);
}
