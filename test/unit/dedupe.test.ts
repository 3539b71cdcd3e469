import { createHash } from 'crypto';

import {
	deliveryIdFor,
	PENDING_CLAIM_SECONDS,
	ProcessDeliveries,
	readSeenDeliveries,
	rememberDeliveries,
	wasSeen,
} from '../../nodes/BeginiTrigger/dedupe';
import type { BeginiPayload } from '../../nodes/BeginiTrigger/types';
import { eventBody } from '../helpers/vectors';

const HOUR = 3600;
const limits = { maxAgeSeconds: 72 * HOUR, maxEntries: 5 };
const T0 = 1_790_000_000;

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

describe('stored retry memory', () => {
	it('reads only ids with finite times from whatever is stored', () => {
		expect(readSeenDeliveries(undefined)).toEqual({});
		expect(readSeenDeliveries('corrupt')).toEqual({});
		expect(readSeenDeliveries([1, 2])).toEqual({});
		expect(readSeenDeliveries({ a: T0, b: 'x', c: null, d: Number.NaN })).toEqual({ a: T0 });
	});

	it('sees an id within the window and forgets it after', () => {
		const seen = { a: T0 };
		expect(wasSeen(seen, 'a', T0, limits)).toBe(true);
		expect(wasSeen(seen, 'a', T0 + 72 * HOUR - 1, limits)).toBe(true);
		expect(wasSeen(seen, 'a', T0 + 72 * HOUR, limits)).toBe(false);
		expect(wasSeen(seen, 'b', T0, limits)).toBe(false);
	});

	it('does not mistake inherited object properties for ids', () => {
		expect(wasSeen({}, 'constructor', T0, limits)).toBe(false);
		expect(wasSeen({}, '__proto__', T0, limits)).toBe(false);
	});

	it('prunes by age on every write', () => {
		const seen = { old: T0 - 73 * HOUR, recent: T0 - HOUR };
		expect(rememberDeliveries(seen, [['new', T0]], T0, limits)).toEqual({ recent: T0 - HOUR, new: T0 });
	});

	it('keeps only the newest entries beyond the count limit', () => {
		const seen = Object.fromEntries([1, 2, 3, 4, 5].map((n) => [`id${n}`, T0 + n]));
		const after = rememberDeliveries(seen, [['id6', T0 + 6], ['id7', T0 + 7]], T0 + 7, limits);
		expect(Object.keys(after).sort()).toEqual(['id3', 'id4', 'id5', 'id6', 'id7']);
	});

	it('keeps the earliest time for an id written twice, and does not mutate its input', () => {
		const seen = { a: T0 };
		const after = rememberDeliveries(seen, [['a', T0 + 50], ['b', T0 + 9], ['b', T0 + 5]], T0 + 60, limits);
		expect(after).toEqual({ a: T0, b: T0 + 5 });
		expect(seen).toEqual({ a: T0 });
	});

	it('stays compact: 5,000 remembered deliveries fit in about 150 kB of JSON', () => {
		const many = rememberDeliveries(
			{},
			Array.from({ length: 6000 }, (_, n) => [createHash('sha256').update(String(n)).digest('base64url').slice(0, 16), T0 + n] as [string, number]),
			T0 + 6000,
			{ maxAgeSeconds: 72 * HOUR, maxEntries: 5000 },
		);
		expect(Object.keys(many)).toHaveLength(5000);
		expect(JSON.stringify(many).length).toBeLessThan(5000 * 31);
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

	it('lets a pending claim block only until it expires (its sender left before n8n answered)', () => {
		const record = new ProcessDeliveries();
		record.claim('t', 'a', T0, limits);
		expect(record.claim('t', 'a', T0 + PENDING_CLAIM_SECONDS - 1, limits)).toBe('pending');
		expect(record.claim('t', 'a', T0 + PENDING_CLAIM_SECONDS, limits)).toBe('new');
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
});
