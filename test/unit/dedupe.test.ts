import { createHash } from 'crypto';

import {
	deliveryIdFor,
	FULL_WRITE_MAX_SECONDS,
	FULL_WRITE_SECONDS,
	PENDING_CLAIM_SECONDS,
	ProcessDeliveries,
	LOAD_BEFORE_CLAIM_SECONDS,
} from '../../nodes/BeginiTrigger/dedupe';
import { SURPLUS_SHARE, withDeliveries } from '../../nodes/BeginiTrigger/storedMemory';
import type { MemoryWrite, Remembered } from '../../nodes/BeginiTrigger/storedMemory';
import type { BeginiPayload } from '../../nodes/BeginiTrigger/types';
import { decodeRetryMemory, rememberedIds } from '../helpers/retryMemory';
import { eventBody } from '../helpers/vectors';

const HOUR = 3600;
const limits = { maxAgeSeconds: 72 * HOUR, maxEntries: 5 };
const T0 = 1_790_000_000;

/** A write as plain data, its entries copied out of the process's record. */
function added(write: MemoryWrite): { entries: Remembered[]; loadedAfter?: number; rebuild: boolean } {
	return { ...write, entries: [...write.entries] };
}

/** A delivery id as the node makes them: 16 base64url characters. */
function idOf(text: string): string {
	return createHash('sha256').update(text).digest('base64url').slice(0, 16);
}

function parse(body: Buffer): BeginiPayload {
	return JSON.parse(body.toString('utf8')) as BeginiPayload;
}

describe('deliveryIdFor', () => {
	const body = eventBody('psychometric_score.complete');
	const payload = parse(body);

	it('is the first 96 bits of the SHA-256 of the exact bytes, base64url', () => {
		const expected = createHash('sha256').update(body).digest('base64url').slice(0, 16);
		expect(deliveryIdFor(body, payload, 'payload')).toBe(expected);
		expect(expected).toMatch(/^[A-Za-z0-9_-]{16}$/);
	});

	it('differs when one byte differs, in payload mode', () => {
		const reserialised = Buffer.from(JSON.stringify(payload));
		expect(deliveryIdFor(reserialised, payload, 'payload')).not.toBe(deliveryIdFor(body, payload, 'payload'));
	});

	it('ignores formatting in event-identity mode', () => {
		const reserialised = Buffer.from(JSON.stringify(payload));
		expect(deliveryIdFor(reserialised, payload, 'eventIdentity')).toBe(deliveryIdFor(body, payload, 'eventIdentity'));
	});

	it('tells apart applicants, event types and score times in event-identity mode', () => {
		const base = deliveryIdFor(body, payload, 'eventIdentity');
		const otherUid = { ...payload, uid: 'APP-2026-000124' };
		const otherType = { ...payload, event: { ...payload.event!, type: 'ios_score.complete' } };
		const rescored = { ...payload, event: { ...payload.event!, details: { scored_at: T0 } } };
		for (const variant of [otherUid, otherType, rescored]) {
			expect(deliveryIdFor(Buffer.from(JSON.stringify(variant)), variant, 'eventIdentity')).not.toBe(base);
		}
	});

	it('falls back to the payload when the identity fields are missing, so odd events are not merged', () => {
		const first = Buffer.from('{"event":{"type":"x"},"n":1}');
		const second = Buffer.from('{"event":{"type":"x"},"n":2}');
		expect(deliveryIdFor(first, parse(first), 'eventIdentity')).not.toBe(deliveryIdFor(second, parse(second), 'eventIdentity'));
		expect(deliveryIdFor(first, parse(first), 'eventIdentity')).toBe(deliveryIdFor(first, parse(first), 'payload'));
	});
});

describe('ProcessDeliveries (in-process record)', () => {
	it('lets exactly one of many concurrent claims of an id win; the others see it pending', () => {
		const record = new ProcessDeliveries();
		const claims = Array.from({ length: 20 }, () => record.claim('wf/node', 'a', T0, limits));
		expect(claims[0]).toBe('new');
		expect(claims.slice(1)).toEqual(Array(19).fill('pending'));
	});

	it('reports a delivery stored once n8n answered 200 for it', () => {
		const record = new ProcessDeliveries();
		record.claim('t', 'a', T0, limits);
		record.markStored('t', 'a', T0 + 1);
		expect(record.claim('t', 'a', T0 + 2, limits)).toBe('stored');
		expect(record.storedEntries('t', T0 + 2, limits)).toEqual([['a', T0 + 1]]);
	});

	it('forgets a released claim, so the retry is new again', () => {
		const record = new ProcessDeliveries();
		record.claim('t', 'a', T0, limits);
		record.release('t', 'a');
		expect(record.claim('t', 'a', T0 + 1, limits)).toBe('new');
	});

	it('never releases a stored delivery', () => {
		const record = new ProcessDeliveries();
		record.claim('t', 'a', T0, limits);
		record.markStored('t', 'a', T0);
		record.release('t', 'a');
		expect(record.claim('t', 'a', T0 + 1, limits)).toBe('stored');
	});

	it('writes only stored deliveries back, never pending ones', () => {
		const record = new ProcessDeliveries();
		record.claim('t', 'pending', T0, limits);
		record.claim('t', 'stored', T0, limits);
		record.markStored('t', 'stored', T0);
		expect(record.storedEntries('t', T0, limits)).toEqual([['stored', T0]]);
	});

	it('answers a delivery found in the stored memory as stored, with its stored time, and adds it back only on a full write', () => {
		const record = new ProcessDeliveries();
		expect(record.toWrite('t', T0, T0, limits).rebuild).toBe(true);
		record.markFoundStored('t', 'found', T0 - 30);
		expect(record.claim('t', 'found', T0 + 1, limits)).toBe('stored');
		expect(added(record.toWrite('t', T0 + 1, T0 + 1, limits))).toMatchObject({ entries: [], rebuild: false });
		expect(record.toWrite('t', T0 + FULL_WRITE_SECONDS, T0 + FULL_WRITE_SECONDS, limits)).toEqual({ entries: [['found', T0 - 30]], rebuild: true });
	});

	it('lets a pending claim block until n8n has failed to store it, though no release came (the sender had left)', () => {
		const record = new ProcessDeliveries();
		let failed = false;
		record.claim('t', 'a', T0, limits, () => failed);
		expect(record.claim('t', 'a', T0 + 1, limits)).toBe('pending');
		failed = true;
		expect(record.claim('t', 'a', T0 + 2, limits)).toBe('new');
		expect(record.claim('t', 'a', T0 + 3, limits)).toBe('pending');
	});

	it('lets a pending claim that n8n never answers block only until it expires', () => {
		const record = new ProcessDeliveries();
		record.claim('t', 'a', T0, limits);
		expect(record.claim('t', 'a', T0 + PENDING_CLAIM_SECONDS - 1, limits)).toBe('pending');
		expect(record.claim('t', 'a', T0 + PENDING_CLAIM_SECONDS, limits)).toBe('new');
	});

	it('counts a claim dated after now (the clock went back) from now, so that it still expires', () => {
		const record = new ProcessDeliveries();
		record.claim('t', 'pending', T0, limits);
		record.markStored('t', 'stored', T0);
		const back = T0 - HOUR;
		expect(record.claim('t', 'pending', back, limits)).toBe('pending');
		expect(record.claim('t', 'pending', back + PENDING_CLAIM_SECONDS, limits)).toBe('new');
		expect(record.claim('t', 'stored', back, limits)).toBe('stored');
		expect(record.claim('t', 'stored', back + 72 * HOUR, limits)).toBe('new');
	});

	it('keeps triggers apart', () => {
		const record = new ProcessDeliveries();
		expect(record.claim('wf1/node', 'a', T0, limits)).toBe('new');
		expect(record.claim('wf2/node', 'a', T0, limits)).toBe('new');
	});

	it('forgets stored ids after the window', () => {
		const record = new ProcessDeliveries();
		record.markStored('t', 'a', T0);
		expect(record.claim('t', 'a', T0 + 72 * HOUR - 1, limits)).toBe('stored');
		expect(record.claim('t', 'a', T0 + 72 * HOUR, limits)).toBe('new');
	});

	it('holds at most the count limit, dropping the oldest', () => {
		const record = new ProcessDeliveries();
		for (let n = 1; n <= 8; n++) record.markStored('t', `id${n}`, T0 + n);
		expect(record.storedEntries('t', T0 + 8, limits).map(([id]) => id)).toEqual(['id4', 'id5', 'id6', 'id7', 'id8']);
		expect(record.claim('t', 'id1', T0 + 9, limits)).toBe('new');
	});

	it('shrinks to the limit when the limit is lowered', () => {
		const record = new ProcessDeliveries();
		for (let n = 1; n <= 5; n++) record.markStored('t', `id${n}`, T0 + n);
		expect(record.storedEntries('t', T0 + 5, { ...limits, maxEntries: 2 }).map(([id]) => id)).toEqual(['id4', 'id5']);
	});

	it('writes everything it remembers as stored, and rebuilds, on its first write and every FULL_WRITE_SECONDS (a small memory)', () => {
		const record = new ProcessDeliveries();
		record.markStored('t', 'old', T0 - 60);
		record.markStored('t', 'new', T0);
		expect(record.toWrite('t', T0, T0, limits)).toEqual({ entries: [['old', T0 - 60], ['new', T0]], rebuild: true });
		expect(record.toWrite('t', T0 + FULL_WRITE_SECONDS - 1, T0 + FULL_WRITE_SECONDS - 1, limits).rebuild).toBe(false);
		expect(record.toWrite('t', T0 + FULL_WRITE_SECONDS, T0 + FULL_WRITE_SECONDS, limits)).toEqual({ entries: [['old', T0 - 60], ['new', T0]], rebuild: true });
	});

	it('spreads full writes of a large memory over a fifth of its count limit in writes, and 5 minutes at most', () => {
		const large = { maxAgeSeconds: 72 * HOUR, maxEntries: 100 };
		const record = new ProcessDeliveries();
		const rebuilds = (writes: number, at: number) =>
			Array.from({ length: writes }, (_, n) => record.toWrite('t', at + n, at + n, large).rebuild);
		expect(rebuilds(1, T0)).toEqual([true]);
		// 10 seconds later, 19 writes since: not yet; the 20th is one
		expect(rebuilds(18, T0 + FULL_WRITE_SECONDS).filter(Boolean)).toEqual([]);
		expect(rebuilds(2, T0 + 30)).toEqual([false, true]);
		// 5 minutes after, a full write comes however few writes came since
		expect(rebuilds(1, T0 + 31 + FULL_WRITE_MAX_SECONDS - 1)).toEqual([false]);
		expect(rebuilds(1, T0 + 31 + FULL_WRITE_MAX_SECONDS)).toEqual([true]);
		expect(SURPLUS_SHARE * large.maxEntries).toBe(20);
	});

	it('between those, gives what it stored recently, oldest first, and when the request loaded its copy at the earliest', () => {
		const record = new ProcessDeliveries();
		record.markStored('t', 'before', T0);
		expect(record.toWrite('t', T0, T0, limits).rebuild).toBe(true);
		record.markStored('t', 'after', T0 + 1);
		// a write long after its claim (a stalled database)
		expect(added(record.toWrite('t', T0 + 1, T0 + 9, limits))).toEqual({
			entries: [['before', T0], ['after', T0 + 1]],
			loadedAfter: T0 + 1 - LOAD_BEFORE_CLAIM_SECONDS,
			rebuild: false,
		});
	});

	it('forgets the recent deliveries no request still in flight can be missing', () => {
		const record = new ProcessDeliveries();
		record.markStored('t', 'long ago', T0);
		const now = T0 + PENDING_CLAIM_SECONDS + LOAD_BEFORE_CLAIM_SECONDS + 1;
		expect(record.toWrite('t', now, now, limits).rebuild).toBe(true);
		record.markStored('t', 'now', now);
		// a request older than PENDING_CLAIM_SECONDS + LOAD_BEFORE_CLAIM_SECONDS no longer counts as in flight
		expect(added(record.toWrite('t', now + 1, now + 1, limits))).toMatchObject({ entries: [['now', now]], rebuild: false });
	});

	it('spreads full writes per trigger', () => {
		const record = new ProcessDeliveries();
		record.markStored('a', 'x', T0);
		record.markStored('b', 'y', T0);
		expect(record.toWrite('a', T0, T0, limits).rebuild).toBe(true);
		expect(record.toWrite('b', T0, T0, limits).rebuild).toBe(true);
		expect(record.toWrite('a', T0 + 1, T0 + 1, limits).rebuild).toBe(false);
	});
});

describe('ProcessDeliveries: a copy this process wrote', () => {
	/** A record past its first (full) write, with `ids` stored one second apart from T0 + 1. */
	function recordWith(ids: string[]): ProcessDeliveries {
		const record = new ProcessDeliveries(() => 'proc-a');
		record.toWrite('t', T0, T0, limits);
		ids.forEach((id, n) => record.markStored('t', id, T0 + 1 + n));
		return record;
	}

	it('names each write by the trigger record that made it and the number of its last stored delivery', () => {
		const record = recordWith(['a', 'b']);
		expect(record.writtenBy('t')).toBe('proc-a.2');
		const processRecord = new ProcessDeliveries();
		expect(processRecord.writtenBy('t')).toMatch(/^[A-Za-z0-9_-]{12}\.0$/);
		// another trigger, another process: another writer
		expect(processRecord.writtenBy('u')).not.toBe(processRecord.writtenBy('t'));
		expect(new ProcessDeliveries().writtenBy('t')).not.toBe(processRecord.writtenBy('t'));
	});

	it('adds only what this process stored after its own write that the copy holds, each checked', () => {
		const record = recordWith(['a', 'b', 'c', 'd']);
		expect(added(record.toWrite('t', T0 + 4, T0 + 4, limits, 'proc-a.2'))).toEqual({
			entries: [['c', T0 + 3], ['d', T0 + 4]],
			loadedAfter: Number.NEGATIVE_INFINITY,
			rebuild: false,
		});
		expect(added(record.toWrite('t', T0 + 4, T0 + 4, limits, 'proc-a.4'))).toMatchObject({ entries: [] });
	});

	it('checks everything stored since the copy was loaded when the copy is not its own, or its write is too old to tell', () => {
		const record = recordWith(['a', 'b', 'c']);
		const sinceLoad = { entries: [['a', T0 + 1], ['b', T0 + 2], ['c', T0 + 3]], loadedAfter: T0 + 3 - LOAD_BEFORE_CLAIM_SECONDS, rebuild: false };
		for (const copyWrittenBy of [undefined, 'proc-b.2', 'proc-a', 'proc-a.x', 'proc-a.1.5', 'proc-a.9', 'proc-a.-1', 42, 'proc-aa.2']) {
			expect(added(record.toWrite('t', T0 + 3, T0 + 3, limits, copyWrittenBy))).toEqual(sinceLoad);
		}
		// once no request in flight can lack a and b, the record forgets them (in the full write due by then)
		const later = T0 + 3 + PENDING_CLAIM_SECONDS + LOAD_BEFORE_CLAIM_SECONDS;
		expect(record.toWrite('t', later, later, limits).rebuild).toBe(true);
		record.markStored('t', 'e', later);
		const sinceWrite2 = [['c', T0 + 3], ['e', later]];
		// so it cannot tell what a copy of write 1 lacks (b); a copy of write 2 lacks c and e at most
		expect(added(record.toWrite('t', later, later, limits, 'proc-a.1'))).toEqual({ entries: sinceWrite2, loadedAfter: later - LOAD_BEFORE_CLAIM_SECONDS, rebuild: false });
		expect(added(record.toWrite('t', later, later, limits, 'proc-a.2'))).toEqual({ entries: sinceWrite2, loadedAfter: Number.NEGATIVE_INFINITY, rebuild: false });
	});

	it('loses no delivery for good, whatever two processes load, write and save in whatever order', () => {
		// Two n8n processes on one workflow, each with its record, through the node's steps: a request loads the
		// last saved memory with its writtenBy; later its delivery is stored (now and then one the other process
		// also accepted) and its process writes the copy; later still n8n saves it, whole, in any order.
		let seed = 11;
		const random = (below: number) => {
			seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
			return seed % below;
		};
		const roomy = { maxAgeSeconds: 72 * HOUR, maxEntries: 2000 };
		const processes = [new ProcessDeliveries(() => 'proc-0'), new ProcessDeliveries(() => 'proc-1')];
		const storedBy: Remembered[][] = [[], []];
		type Saved = { memory: unknown; writtenBy: unknown };
		let saved: Saved = { memory: undefined, writtenBy: undefined };
		const loaded: Array<{ copy: Saved; process: number; loadedAt: number }> = [];
		const written: Saved[] = [];
		let ownCopies = 0;
		const writeOne = (request: { copy: Saved; process: number; loadedAt: number }, at: number): Saved => {
			const record = processes[request.process];
			// a copy that raced its original on the other process: one this process has not stored itself
			const othersLast = storedBy[1 - request.process].at(-1)?.[0];
			const raced = othersLast !== undefined && random(8) === 0 && !storedBy[request.process].some(([own]) => own === othersLast);
			const id = raced ? othersLast : idOf(`delivery ${request.process} ${at} ${random(1e9)}`);
			record.markStored('t', id, at);
			storedBy[request.process].push([id, at]);
			const memoryWrite = record.toWrite('t', request.loadedAt, at, roomy, request.copy.writtenBy);
			if (memoryWrite.rebuild === false && memoryWrite.loadedAfter === Number.NEGATIVE_INFINITY) ownCopies++;
			const memory = withDeliveries(request.copy.memory, memoryWrite, at, roomy);
			// every delivery its process stored since the copy was loaded is in what it saves
			const remembered = new Set(rememberedIds(memory));
			expect(storedBy[request.process].filter(([stored, storedAt]) => storedAt >= request.loadedAt && !remembered.has(stored))).toEqual([]);
			return { memory, writtenBy: record.writtenBy('t') };
		};
		// 4,000 steps of a tenth of a second: no request stays in flight anywhere near PENDING_CLAIM_SECONDS
		for (let step = 0; step < 4000; step++) {
			const at = T0 + Math.floor(step / 10);
			const action = random(3);
			if (action === 0 || loaded.length === 0) loaded.push({ copy: saved, process: random(2), loadedAt: at });
			else if (action === 1) written.push(writeOne(loaded.splice(random(loaded.length), 1)[0], at));
			else if (written.length > 0) saved = written.splice(random(written.length), 1)[0];
		}
		expect(ownCopies).toBeGreaterThan(200);
		// a full write of each process puts back whatever was lost
		const end = T0 + 400 + FULL_WRITE_MAX_SECONDS;
		for (const process of [0, 1]) saved = writeOne({ copy: saved, process, loadedAt: end }, end + process);
		const earliest = new Map<string, number>();
		for (const [id, at] of [...storedBy[0], ...storedBy[1]]) earliest.set(id, Math.min(at, earliest.get(id) ?? Infinity));
		expect(new Map(decodeRetryMemory(saved.memory))).toEqual(earliest);
	});
});
