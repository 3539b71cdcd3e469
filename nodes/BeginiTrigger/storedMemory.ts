/**
 * The retry memory as n8n stores it in the node's static data: one string of fixed-width records, sorted by
 * delivery id. A record is the 16-character delivery id (base64url) followed by the time the delivery was
 * accepted, in Unix epoch seconds, as 8 lowercase hex digits: "k3Jx0a9Qm2Zp_w-L69271c80".
 *
 * Why a string: n8n parses and re-serialises a workflow's whole static data on every delivery, and wraps
 * every object in it. With 5,000 deliveries remembered, one key per delivery cost n8n about 15 ms of CPU
 * per delivery; one string costs it a tenth of a millisecond, and 24 bytes per delivery instead of 30.
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

/** The time in record `index`; NaN when it is not 8 hex digits (a value edited by hand). */
function timeAt(records: string, index: number): number {
	const start = index * RECORD_LENGTH + ID_LENGTH;
	const hex = records.slice(start, start + TIME_LENGTH);
	return /^[0-9a-f]{8}$/.test(hex) ? parseInt(hex, 16) : Number.NaN;
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

/** The index of the record of `id`, or -1. */
function indexOf(records: string, id: string): number {
	const index = firstNotBefore(records, id);
	return index < records.length / RECORD_LENGTH && compareIdAt(records, index, id) === 0 ? index : -1;
}

function byId(a: Remembered, b: Remembered): number {
	if (a[0] === b[0]) return a[1] - b[1];
	return a[0] < b[0] ? -1 : 1;
}

/** When `id` was accepted, if the stored memory has it and it is still fresh. */
export function seenAt(stored: unknown, id: string, now: number, limits: RetryMemoryLimits): number | undefined {
	let acceptedAt: unknown;
	if (isRecords(stored)) {
		const index = indexOf(stored, id);
		if (index !== -1) acceptedAt = timeAt(stored, index);
	} else if (isObjectMemory(stored) && Object.prototype.hasOwnProperty.call(stored, id)) {
		// own keys only, so an id such as "constructor" is never found on the prototype
		acceptedAt = stored[id];
	}
	return isStorableTime(acceptedAt) && isFresh(acceptedAt, now, limits) ? acceptedAt : undefined;
}

/**
 * The stored memory with `added` in it. An id already there keeps the earlier of its two times.
 *
 * An ordinary write inserts the records into the sorted string, in time that grows with the deliveries
 * added and the logarithm of the memory. `rebuild` (or a memory that is not yet a string of records)
 * rebuilds it whole: drops what is not a delivery id with a valid time, what is past the age limit, and the
 * oldest beyond the count limit (of equal times, the lowest ids), and sorts it again, which also repairs a
 * string that was edited by hand. The caller rebuilds from time to time, so between rebuilds the memory may
 * hold more than its count limit.
 */
export function withDeliveries(
	stored: unknown,
	added: Remembered[],
	now: number,
	limits: RetryMemoryLimits,
	rebuild: boolean,
): string {
	if (rebuild || !isRecords(stored)) return rebuilt(stored, added, now, limits);
	return inserted(stored, added);
}

function inserted(records: string, added: Remembered[]): string {
	let result = '';
	let copiedUpTo = 0;
	let previousId: string | undefined;
	for (const [id, acceptedAt] of [...added].sort(byId)) {
		// of an id added twice, the earlier time came first
		if (id === previousId || !DELIVERY_ID.test(id) || !isStorableTime(acceptedAt)) continue;
		previousId = id;
		const index = firstNotBefore(records, id);
		const isKnown = index < records.length / RECORD_LENGTH && compareIdAt(records, index, id) === 0;
		if (isKnown && !(acceptedAt < timeAt(records, index))) continue;
		result += records.slice(copiedUpTo, index * RECORD_LENGTH) + record(id, acceptedAt);
		copiedUpTo = (isKnown ? index + 1 : index) * RECORD_LENGTH;
	}
	return copiedUpTo === 0 && result === '' ? records : result + records.slice(copiedUpTo);
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

function rebuilt(stored: unknown, added: Remembered[], now: number, limits: RetryMemoryLimits): string {
	const times = new Map<string, number>();
	for (const [id, acceptedAt] of [...storedDeliveries(stored), ...added]) {
		if (!DELIVERY_ID.test(id) || !isStorableTime(acceptedAt) || !isFresh(acceptedAt, now, limits)) continue;
		const known = times.get(id);
		if (known === undefined || acceptedAt < known) times.set(id, acceptedAt);
	}
	let kept = [...times];
	if (kept.length > limits.maxEntries) {
		// a stable sort: of equal times, those found first (lower ids, then those added) are dropped first
		kept = kept.sort((a, b) => a[1] - b[1]).slice(kept.length - limits.maxEntries);
	}
	return kept
		.sort(byId)
		.map(([id, acceptedAt]) => record(id, acceptedAt))
		.join('');
}
