/**
 * The retry memory as n8n stores it in the node's static data: one string of fixed-width records, sorted by
 * delivery id. A record is the 16-character delivery id (base64url) followed by the time the delivery was
 * accepted, in Unix epoch seconds, as 8 lowercase hex digits: "k3Jx0a9Qm2Zp_w-L69271c80".
 *
 * Why a string: n8n parses and re-serialises a workflow's whole static data on every delivery, and wraps
 * every object in it. With 5,000 deliveries remembered, one key per delivery cost n8n about 13 ms of CPU
 * per delivery; one string costs it a fraction of a millisecond, and 24 bytes per delivery instead of 30.
 * Why sorted by id: a lookup or an insertion then reads about log2(n) records, not the whole memory.
 *
 * Until a trigger first writes it, the memory may still be in the format of 0.1.0 (an object, delivery id →
 * time); it is read as it is, and converted by that first write.
 */

/** How long and how many deliveries are remembered. */
export interface RetryMemoryLimits {
	maxAgeSeconds: number;
	maxEntries: number;
}

/** A remembered delivery: its id, and when it was accepted (Unix epoch seconds). */
export type Remembered = [id: string, acceptedAt: number];

/**
 * What a write adds to the stored memory (see `withDeliveries`): for an ordinary write, the deliveries this
 * process stored recently, in the order it stored them, and a time before which the request's copy was
 * surely loaded (minus infinity: check every one); for a rebuild, every delivery it remembers.
 */
export type MemoryWrite =
	| { entries: readonly Remembered[]; loadedAfter: number; rebuild: false }
	| { entries: readonly Remembered[]; rebuild: true };

/**
 * How far beyond its count limit the memory may grow between rebuilds, as a share of the limit: a write to a
 * copy larger than that rebuilds it, whoever makes it. A rebuild's pruning only lasts if its save is the last:
 * under concurrent deliveries, requests that loaded the copy before it save the unpruned copy again, so every
 * write that finds its copy too large prunes it too.
 */
export const SURPLUS_SHARE = 0.2;

const ID_LENGTH = 16;
const TIME_LENGTH = 8;
export const RECORD_LENGTH = ID_LENGTH + TIME_LENGTH;
const LARGEST_TIME = 0xffffffff;

const DELIVERY_ID = /^[A-Za-z0-9_-]{16}$/;

export function isFresh(acceptedAt: number, now: number, limits: RetryMemoryLimits): boolean {
	return now - acceptedAt < limits.maxAgeSeconds;
}

function isStorableTime(value: unknown): value is number {
	return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= LARGEST_TIME;
}

/** A string of whole records; anything else that is a string is foreign, and the memory starts empty. */
function isRecords(stored: unknown): stored is string {
	return typeof stored === 'string' && stored.length % RECORD_LENGTH === 0;
}

/** The format of 0.1.0: a plain object, delivery id → time. */
function isObjectMemory(stored: unknown): stored is Record<string, unknown> {
	return typeof stored === 'object' && stored !== null && !Array.isArray(stored);
}

function record(id: string, acceptedAt: number): string {
	return id + acceptedAt.toString(16).padStart(TIME_LENGTH, '0');
}

/** The time in record `index`; NaN when it is not lowercase hex (a value edited by hand). */
function timeAt(records: string, index: number): number {
	const start = index * RECORD_LENGTH + ID_LENGTH;
	// read in place: this runs for every record a write touches, and copying each out costs more than the reading
	let time = 0;
	for (let i = start; i < start + TIME_LENGTH; i++) {
		const code = records.charCodeAt(i);
		const digit = code >= 48 && code <= 57 ? code - 48 : code >= 97 && code <= 102 ? code - 87 : -1;
		if (digit === -1) return Number.NaN;
		time = time * 16 + digit;
	}
	return time;
}

/** Compares the id in record `index` with `id`, by UTF-16 code units, without copying it out. */
function compareIdAt(records: string, index: number, id: string): number {
	const start = index * RECORD_LENGTH;
	for (let i = 0; i < ID_LENGTH; i++) {
		const difference = records.charCodeAt(start + i) - id.charCodeAt(i);
		if (difference !== 0) return difference;
	}
	return 0;
}

/** The index of the first record whose id is not less than `id`. */
function firstNotBefore(records: string, id: string): number {
	let low = 0;
	let high = records.length / RECORD_LENGTH;
	while (low < high) {
		const middle = (low + high) >>> 1;
		if (compareIdAt(records, middle, id) < 0) low = middle + 1;
		else high = middle;
	}
	return low;
}

function holdsIdAt(records: string, index: number, id: string): boolean {
	return index < records.length / RECORD_LENGTH && compareIdAt(records, index, id) === 0;
}

/** By id, and of one id, the earlier time first. */
function byId(a: readonly [string, number, ...number[]], b: readonly [string, number, ...number[]]): number {
	if (a[0] === b[0]) return a[1] - b[1];
	return a[0] < b[0] ? -1 : 1;
}

/**
 * When `id` was accepted, if the stored memory has it and it is still fresh. A time after `now` (written before
 * the clock went back) is taken as now, here and in a rebuild, so that the record still expires.
 */
export function seenAt(stored: unknown, id: string, now: number, limits: RetryMemoryLimits): number | undefined {
	let acceptedAt: unknown;
	if (isRecords(stored)) {
		const index = firstNotBefore(stored, id);
		if (holdsIdAt(stored, index, id)) acceptedAt = timeAt(stored, index);
	} else if (isObjectMemory(stored) && Object.prototype.hasOwnProperty.call(stored, id)) {
		// own keys only, so an id such as "constructor" is never found on the prototype
		acceptedAt = stored[id];
	}
	if (!isStorableTime(acceptedAt) || !isFresh(acceptedAt, now, limits)) return undefined;
	return Math.min(acceptedAt, now);
}

/**
 * The stored memory with the deliveries of `write` added.
 *
 * An ordinary write adds what the copy lacks of the deliveries this process stored recently: each one
 * stored since `loadedAfter` (what a concurrent request's save, in this process or another, may have
 * erased), and, going on newest first, older ones until the first the copy holds. Since a save keeps what
 * its copy held, a process's older deliveries are usually all there below that one; when they are not (a
 * delivery two processes both accepted can be that one), the next full write puts them back. It inserts
 * what is missing into the sorted string, in time that grows with the deliveries since `loadedAfter` and
 * with the logarithm of the memory.
 *
 * A rebuild (and any write to a memory that is not yet a string of records, or that holds more than
 * `SURPLUS_SHARE` beyond its count limit) adds every delivery in the write that the memory lacks, keeping the
 * earlier time of an id found twice, drops what is not a delivery id with a valid time, what is past the age
 * limit, and the oldest beyond the count limit, and sorts it again, which also repairs a string that was
 * edited by hand. The caller rebuilds from time to time; between rebuilds the memory may hold up to that
 * share more than its count limit.
 */
export function withDeliveries(stored: unknown, write: MemoryWrite, now: number, limits: RetryMemoryLimits): string {
	if (write.rebuild || !isRecords(stored) || stored.length / RECORD_LENGTH > limits.maxEntries * (1 + SURPLUS_SHARE)) {
		return rebuilt(stored, write.entries, now, limits);
	}
	return withRecentlyStored(stored, write.entries, write.loadedAfter);
}

function withRecentlyStored(records: string, stored: readonly Remembered[], loadedAfter: number): string {
	const missing: Array<[id: string, acceptedAt: number, index: number]> = [];
	for (let i = stored.length - 1; i >= 0; i--) {
		const [id, acceptedAt] = stored[i];
		const index = firstNotBefore(records, id);
		if (holdsIdAt(records, index, id)) {
			if (acceptedAt < loadedAfter) break;
		} else if (DELIVERY_ID.test(id) && isStorableTime(acceptedAt)) {
			missing.push([id, acceptedAt, index]);
		}
	}
	if (missing.length === 0) return records;
	missing.sort(byId);
	let result = '';
	let copiedUpTo = 0;
	let previousId: string | undefined;
	for (const [id, acceptedAt, index] of missing) {
		// stored twice (accepted again once a small memory had let it go): the earlier time, sorted first, stays
		if (id === previousId) continue;
		previousId = id;
		result += records.slice(copiedUpTo, index * RECORD_LENGTH) + record(id, acceptedAt);
		copiedUpTo = index * RECORD_LENGTH;
	}
	return result + records.slice(copiedUpTo);
}

/** Every delivery the stored memory holds, in stored order, whatever its format. */
function storedDeliveries(stored: unknown): Array<[string, unknown]> {
	if (isRecords(stored)) {
		const deliveries: Array<[string, unknown]> = [];
		for (let index = 0; index * RECORD_LENGTH < stored.length; index++) {
			const start = index * RECORD_LENGTH;
			deliveries.push([stored.slice(start, start + ID_LENGTH), timeAt(stored, index)]);
		}
		return deliveries;
	}
	return isObjectMemory(stored) ? Object.entries(stored) : [];
}

/** The time at or after which the newest `count` of `times` lie, and how many of that time go too. */
function newestCut(times: number[], count: number): { time: number; dropAtTime: number } {
	const sorted = Float64Array.from(times).sort();
	const time = sorted[sorted.length - count];
	let older = 0;
	while (sorted[older] < time) older++;
	return { time, dropAtTime: sorted.length - count - older };
}

function rebuilt(stored: unknown, added: readonly Remembered[], now: number, limits: RetryMemoryLimits): string {
	// id → time, in the order found: the stored records (sorted by id, unless edited by hand), then the added
	const times = new Map<string, number>();
	const take = (id: string, storedAt: unknown) => {
		if (!isStorableTime(storedAt) || !isFresh(storedAt, now, limits)) return;
		// a time in the future is re-dated to now (see `seenAt`): left as it is, it would outlive every prune
		const acceptedAt = Math.min(storedAt, now);
		const known = times.get(id);
		if (known === undefined ? DELIVERY_ID.test(id) : acceptedAt < known) times.set(id, acceptedAt);
	};
	for (const [id, acceptedAt] of storedDeliveries(stored)) take(id, acceptedAt);
	for (const [id, acceptedAt] of added) take(id, acceptedAt);

	let kept = [...times];
	if (kept.length > limits.maxEntries) {
		// the oldest go; of equal times, those found first (lower ids, then those added)
		const cut = newestCut([...times.values()], limits.maxEntries);
		let dropAtTime = cut.dropAtTime;
		kept = kept.filter(([, at]) => at > cut.time || (at === cut.time && dropAtTime-- <= 0));
	}
	// nearly sorted already, which V8's sort (TimSort) finishes in close to one pass
	return kept
		.sort(byId)
		.map(([id, acceptedAt]) => record(id, acceptedAt))
		.join('');
}
