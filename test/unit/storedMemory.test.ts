import { createHash } from 'crypto';

import { RECORD_LENGTH, seenAt, withDeliveries } from '../../nodes/BeginiTrigger/storedMemory';
import type { MemoryWrite, Remembered, RetryMemoryLimits } from '../../nodes/BeginiTrigger/storedMemory';
import { decodeRetryMemory, encodeRetryMemory, rememberedIds } from '../helpers/retryMemory';

const HOUR = 3600;
const T0 = 1_790_000_000;
const limits = { maxAgeSeconds: 72 * HOUR, maxEntries: 5 };
const roomy = { maxAgeSeconds: 72 * HOUR, maxEntries: 100_000 };

/** A delivery id as the node makes them: 16 base64url characters. */
function idOf(n: number): string {
	return createHash('sha256').update(`delivery ${n}`).digest('base64url').slice(0, 16);
}

/** An ordinary write that checks all of what a process stored recently (these, oldest first), or a rebuild. */
function write(stored: unknown, entries: Remembered[], now: number, memoryLimits: RetryMemoryLimits, rebuild: boolean): string {
	return withDeliveries(stored, rebuild ? { entries, rebuild } : { entries, loadedAfter: 0, rebuild }, now, memoryLimits);
}

function isSortedById(stored: string): boolean {
	const ids = rememberedIds(stored);
	return ids.every((id, i) => i === 0 || ids[i - 1] < id);
}

describe('stored retry memory: lookups', () => {
	const entries: Remembered[] = Array.from({ length: 50 }, (_, n) => [idOf(n), T0 - n]);
	const stored = encodeRetryMemory(entries);

	it('finds every remembered id, with its time, wherever it sits in the sorted records', () => {
		for (const [id, at] of entries) expect(seenAt(stored, id, T0, limits)).toBe(at);
		expect(seenAt(stored, idOf(1000), T0, limits)).toBeUndefined();
	});

	it('sees an id within the window and forgets it after', () => {
		const one = encodeRetryMemory([['aaaaaaaaaaaaaaaa', T0]]);
		expect(seenAt(one, 'aaaaaaaaaaaaaaaa', T0 + 72 * HOUR - 1, limits)).toBe(T0);
		expect(seenAt(one, 'aaaaaaaaaaaaaaaa', T0 + 72 * HOUR, limits)).toBeUndefined();
	});

	it('never matches across the boundary of two records', () => {
		const two = encodeRetryMemory([['AAAAAAAAAAAAAAAA', T0], ['BBBBBBBBBBBBBBBB', T0]]);
		const straddling = two.slice(16, 32);
		expect(seenAt(two, straddling, T0, limits)).toBeUndefined();
	});

	it('reads the object format of 0.1.0 (id → time), own keys only', () => {
		const legacy = { kkkkkkkkkkkkkkkk: T0, broken: 'x' };
		expect(seenAt(legacy, 'kkkkkkkkkkkkkkkk', T0, limits)).toBe(T0);
		expect(seenAt(legacy, 'broken', T0, limits)).toBeUndefined();
		expect(seenAt({}, 'constructor', T0, limits)).toBeUndefined();
		expect(seenAt({}, '__proto__', T0, limits)).toBeUndefined();
	});

	it('sees nothing in a foreign value', () => {
		for (const foreign of [undefined, null, 42, [['aaaaaaaaaaaaaaaa', T0]], 'not records']) {
			expect(seenAt(foreign, 'aaaaaaaaaaaaaaaa', T0, limits)).toBeUndefined();
		}
	});
});

describe('stored retry memory: writes', () => {
	it('inserts records in id order, whatever order they are added in', () => {
		const added: Remembered[] = [3, 1, 4, 0, 2].map((n) => [idOf(n), T0 + n]);
		const stored = write('', added, T0 + 5, roomy, false);
		expect(stored).toHaveLength(5 * RECORD_LENGTH);
		expect(isSortedById(stored)).toBe(true);
		expect(new Map(decodeRetryMemory(stored))).toEqual(new Map(added));
	});

	it('checks each delivery stored since the copy was loaded; before that, stops at the newest the copy holds', () => {
		const stored = encodeRetryMemory([['bbbbbbbbbbbbbbbb', T0 + 2]]);
		const recentlyStored: Remembered[] = [['aaaaaaaaaaaaaaaa', T0 + 1], ['bbbbbbbbbbbbbbbb', T0 + 2], ['cccccccccccccccc', T0 + 3]];
		const writtenLoadedAfter = (loadedAfter: number) =>
			rememberedIds(withDeliveries(stored, { entries: recentlyStored, loadedAfter, rebuild: false }, T0 + 3, roomy));
		expect(writtenLoadedAfter(T0 + 3)).toEqual(['bbbbbbbbbbbbbbbb', 'cccccccccccccccc']);
		expect(writtenLoadedAfter(T0 + 1)).toEqual(['aaaaaaaaaaaaaaaa', 'bbbbbbbbbbbbbbbb', 'cccccccccccccccc']);
	});

	it('returns the same string when nothing is new, and skips what is not an id with a valid time', () => {
		const stored = encodeRetryMemory([['aaaaaaaaaaaaaaaa', T0]]);
		expect(write(stored, [['aaaaaaaaaaaaaaaa', T0 + 1]], T0, roomy, false)).toBe(stored);
		const bad: Remembered[] = [['short', T0], ['aaaaaaaaaaaaaaa!', T0], ['bbbbbbbbbbbbbbbb', Number.NaN], ['cccccccccccccccc', -1], ['dddddddddddddddd', 2 ** 32]];
		expect(write(stored, bad, T0, roomy, false)).toBe(stored);
	});

	it('loses no delivery for good, whatever two processes load, write and save in whatever order', () => {
		// Two n8n processes on one workflow. A request loads the last saved copy; later its delivery is stored
		// (now and then one the other process also accepted: a copy that raced its original) and its process
		// writes the copy with what it stored recently (ProcessDeliveries.toWrite's list); later still n8n saves
		// it, whole: saves land in any order, the last one wins.
		let seed = 7;
		const random = (below: number) => {
			seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
			return seed % below;
		};
		const storedBy: Remembered[][] = [[], []];
		let saved: unknown = undefined;
		const loaded: Array<{ copy: unknown; process: number; loadedAt: number }> = [];
		const written: string[] = [];
		const writeOne = (request: { copy: unknown; process: number; loadedAt: number }, at: number, rebuild: boolean) => {
			const stored = storedBy[request.process];
			const others = storedBy[1 - request.process];
			const raced = others.length > 0 && random(8) === 0;
			stored.push([raced ? others[others.length - 1][0] : idOf(at), at]);
			const memoryWrite: MemoryWrite = rebuild ? { entries: stored, rebuild } : { entries: stored, loadedAfter: request.loadedAt, rebuild };
			const memory = withDeliveries(request.copy, memoryWrite, at, roomy);
			// every delivery its process stored since the copy was loaded is in what it saves
			const remembered = new Set(rememberedIds(memory));
			expect(stored.filter(([id, storedAt]) => storedAt >= request.loadedAt && !remembered.has(id))).toEqual([]);
			return memory;
		};
		for (let step = 0; step < 3000; step++) {
			const at = T0 + step;
			const action = random(3);
			if (action === 0 || loaded.length === 0) loaded.push({ copy: saved, process: random(2), loadedAt: at });
			else if (action === 1) written.push(writeOne(loaded.splice(random(loaded.length), 1)[0], at, random(50) === 0));
			else if (written.length > 0) saved = written.splice(random(written.length), 1)[0];
			if (saved !== undefined) expect(isSortedById(saved as string)).toBe(true);
		}
		// a full write of each process puts back whatever was lost
		for (const process of [0, 1]) saved = writeOne({ copy: saved, process, loadedAt: T0 + 5000 }, T0 + 5000 + process, true);
		const earliest = new Map<string, number>();
		for (const [id, at] of [...storedBy[0], ...storedBy[1]]) earliest.set(id, Math.min(at, earliest.get(id) ?? Infinity));
		expect(new Map(decodeRetryMemory(saved))).toEqual(earliest);
	});
});

describe('stored retry memory: rebuilds', () => {
	it('keeps the earlier time of an id found twice', () => {
		const stored = encodeRetryMemory([['aaaaaaaaaaaaaaaa', T0], ['cccccccccccccccc', T0 + 10]]);
		const added: Remembered[] = [['aaaaaaaaaaaaaaaa', T0 + 50], ['cccccccccccccccc', T0 + 5], ['bbbbbbbbbbbbbbbb', T0 + 9], ['bbbbbbbbbbbbbbbb', T0 + 7]];
		expect(decodeRetryMemory(write(stored, added, T0 + 60, roomy, true))).toEqual([
			['aaaaaaaaaaaaaaaa', T0],
			['bbbbbbbbbbbbbbbb', T0 + 7],
			['cccccccccccccccc', T0 + 5],
		]);
	});

	it('never takes an invalid or expired time for an earlier one', () => {
		const stored = encodeRetryMemory([['aaaaaaaaaaaaaaaa', T0]]);
		const added: Remembered[] = [['aaaaaaaaaaaaaaaa', -5], ['aaaaaaaaaaaaaaaa', 1.5], ['aaaaaaaaaaaaaaaa', T0 - 73 * HOUR]];
		expect(decodeRetryMemory(write(stored, added, T0, roomy, true))).toEqual([['aaaaaaaaaaaaaaaa', T0]]);
	});

	it('any write to a copy more than a fifth beyond the count limit prunes it, so that concurrent saves cannot undo it', () => {
		const records = (count: number): Remembered[] => Array.from({ length: count }, (_, n) => [idOf(n), T0 + n]);
		const atLimit = encodeRetryMemory(records(6)); // limits: 5, and a fifth beyond is 6
		expect(rememberedIds(write(atLimit, [[idOf(100), T0 + 100]], T0 + 100, limits, false))).toHaveLength(7);
		const beyond = encodeRetryMemory(records(7));
		const written = decodeRetryMemory(write(beyond, [[idOf(100), T0 + 100]], T0 + 100, limits, false));
		expect(new Map(written)).toEqual(new Map([...records(7).slice(3), [idOf(100), T0 + 100]]));
	});

	it('treats a time in the future (a clock that went back) as now: the record expires after the window from now', () => {
		const ahead = T0 + 10 * 365 * 24 * HOUR;
		const stored = encodeRetryMemory([['ffffffffffffffff', ahead]]);
		expect(seenAt(stored, 'ffffffffffffffff', T0, limits)).toBe(T0);
		const pruned = write(stored, [], T0, limits, true);
		expect(decodeRetryMemory(pruned)).toEqual([['ffffffffffffffff', T0]]);
		expect(decodeRetryMemory(write(pruned, [], T0 + 72 * HOUR, limits, true))).toEqual([]);
	});

	it('drops entries past the age limit', () => {
		const stored = encodeRetryMemory([['oooooooooooooooo', T0 - 73 * HOUR], ['rrrrrrrrrrrrrrrr', T0 - HOUR]]);
		expect(decodeRetryMemory(write(stored, [], T0, limits, true))).toEqual([['rrrrrrrrrrrrrrrr', T0 - HOUR]]);
	});

	it('keeps only the newest entries beyond the count limit, whatever order they were written in', () => {
		const added: Remembered[] = [3, 7, 1, 5, 2, 6, 4].map((n) => [idOf(n), T0 + n]);
		const stored = write('', added, T0 + 7, limits, true);
		expect(rememberedIds(stored).sort()).toEqual([3, 4, 5, 6, 7].map(idOf).sort());
	});

	it('converts the object format of 0.1.0, dropping what is not an id with a valid time', () => {
		const legacy = { kkkkkkkkkkkkkkkk: T0, text: T0, broken: 'x', nothing: null, mmmmmmmmmmmmmmmm: Number.NaN };
		expect(decodeRetryMemory(write(legacy, [['aaaaaaaaaaaaaaaa', T0 + 1]], T0 + 1, limits, false))).toEqual([
			['aaaaaaaaaaaaaaaa', T0 + 1],
			['kkkkkkkkkkkkkkkk', T0],
		]);
	});

	it('repairs a string edited by hand: out of order, a duplicate id, a time that is not hex', () => {
		const records = ['zzzzzzzzzzzzzzzz', 'aaaaaaaaaaaaaaaa', 'zzzzzzzzzzzzzzzz', 'mmmmmmmmmmmmmmmm'];
		const times = [T0.toString(16), (T0 - 5).toString(16), (T0 - 9).toString(16), 'nothex!!'];
		const edited = records.map((id, i) => id + times[i]).join('');
		expect(decodeRetryMemory(write(edited, [], T0, limits, true))).toEqual([
			['aaaaaaaaaaaaaaaa', T0 - 5],
			['zzzzzzzzzzzzzzzz', T0 - 9],
		]);
	});

	it('starts a fresh memory from a foreign value', () => {
		for (const foreign of [undefined, null, 42, 'not records', ['aaaaaaaaaaaaaaaa']]) {
			expect(decodeRetryMemory(write(foreign, [['bbbbbbbbbbbbbbbb', T0]], T0, limits, false))).toEqual([['bbbbbbbbbbbbbbbb', T0]]);
		}
	});

	it('stays compact: 5,000 remembered deliveries take 24 bytes each, 120 kB of JSON in all', () => {
		const added: Remembered[] = Array.from({ length: 6000 }, (_, n) => [idOf(n), T0 + n]);
		const stored = write('', added, T0 + 6000, { maxAgeSeconds: 72 * HOUR, maxEntries: 5000 }, true);
		expect(decodeRetryMemory(stored)).toHaveLength(5000);
		expect(JSON.stringify({ seenDeliveries: stored }).length).toBe(5000 * 24 + '{"seenDeliveries":""}'.length);
	});
});
