import { createHash, randomBytes } from 'crypto';

import { isFresh, SURPLUS_SHARE } from './storedMemory';
import type { MemoryWrite, Remembered, RetryMemoryLimits } from './storedMemory';
import type { BeginiPayload } from './types';

/**
 * Retry memory: which deliveries were already accepted, so that Begini's retries start nothing.
 *
 * Begini sends no delivery id, so the key comes from the content. Two places remember keys:
 * - the workflow's static data (see `storedMemory.ts`: delivery ids with the time each was accepted, in one
 *   compact string, because n8n saves it whole on every delivery), shared by every n8n process and kept
 *   across restarts.
 *   `webhook()` adds the delivery to the copy n8n loaded for the request; n8n saves that copy only once it
 *   has stored the execution (and, in queue mode, queued it), and before it answers. So the stored memory
 *   holds exactly the deliveries n8n stored;
 * - `ProcessDeliveries`, an in-process record, which static data cannot replace: every request loads its
 *   own copy of static data, so two copies of one delivery arriving together would both look new.
 */

/** The node's defaults: Begini's retry schedule is not published, so the window is generous. */
export const DEFAULT_RETRY_WINDOW_HOURS = 72;
export const DEFAULT_RETRY_MEMORY_SIZE = 5000;

export type DeliveryKeyMode = 'payload' | 'eventIdentity';

const DELIVERY_ID_LENGTH = 16;

function shortHash(material: Buffer | string): string {
	// 16 base64url characters keep 96 bits: collisions among a few thousand remembered ids are negligible.
	return createHash('sha256').update(material).digest('base64url').slice(0, DELIVERY_ID_LENGTH);
}

/**
 * The key a delivery is remembered by.
 * - `payload`: the exact body bytes, so a retry (same bytes) matches and nothing else does.
 * - `eventIdentity`: deployment, applicant, event type and score time, for senders that re-serialise the
 *   body. A body without a string `integration_id`, `uid` and `event.type` falls back to the payload key,
 *   so that events of an unexpected shape are never merged into one.
 */
export function deliveryIdFor(rawBody: Buffer, payload: BeginiPayload, mode: DeliveryKeyMode): string {
	if (mode === 'eventIdentity') {
		const { integration_id: integrationId, uid, event } = payload;
		const type = event?.type;
		if (isText(integrationId) && isText(uid) && isText(type)) {
			const scoredAt = (event?.details as { scored_at?: unknown } | undefined)?.scored_at ?? null;
			return shortHash(JSON.stringify(['begini-event', integrationId, uid, type, scoredAt]));
		}
	}
	return shortHash(rawBody);
}

function isText(value: unknown): value is string {
	return typeof value === 'string' && value !== '';
}

/**
 * How long before its claim a request may have loaded the stored memory (n8n loads the workflow, with its static
 * data, and then calls `webhook()`). A request's write checks every delivery this process stored since then
 * (see `ProcessDeliveries.toWrite`). With `PENDING_CLAIM_SECONDS`, how long a request may be in flight: a
 * process keeps what it stored for that long.
 */
export const LOAD_BEFORE_CLAIM_SECONDS = 10;

/**
 * When a write also adds back every delivery this process remembers as stored, and rebuilds the stored memory
 * (pruning it): both take time that grows with the memory, so they are spread over a share of the memory's
 * count limit in deliveries (`SURPLUS_SHARE`, a fifth), which keeps their share of each delivery's cost the same
 * whatever the memory's size. Such a full write comes at least `FULL_WRITE_SECONDS` after the last one, once
 * this process has written that many since, and in any case after `FULL_WRITE_MAX_SECONDS`. (Pruning does not
 * wait for it: any write to a copy beyond that share of the limit prunes; see `withDeliveries`.)
 */
export const FULL_WRITE_SECONDS = 10;
export const FULL_WRITE_MAX_SECONDS = 300;

/** How long a claim that n8n never answered holds before the stored memory alone decides (see `ProcessDeliveries`). */
export const PENDING_CLAIM_SECONDS = 300;

/** Where a delivery stands for this n8n instance. */
export type DeliveryState = 'new' | 'pending' | 'stored';

interface Claim {
	state: 'pending' | 'stored';
	/** When it was claimed (pending) or answered 200 (stored), Unix epoch seconds. */
	at: number;
	/**
	 * Pending: whether n8n has answered the claimant's request with anything but its 200 (it could not store
	 * the delivery). It is asked, not told: when the sender left before that answer, n8n still writes it, but
	 * no event reports it.
	 */
	failed?: () => boolean;
}

/** What this process knows of one trigger's deliveries. */
interface TriggerRecord {
	/** Delivery id → claim, oldest claim (or store) first. */
	claims: Map<string, Claim>;
	/** The deliveries stored while a request still in flight may have been loading, oldest first. */
	recentlyStored: Remembered[];
	/** Names this record's writes in the stored memory (see `writtenBy`): random, so that no other record's match. */
	writerId: string;
	/** How many deliveries this record has stored: the number of the last one. */
	storedCount: number;
	/** When the last write added back every stored delivery and rebuilt the memory (epoch seconds). */
	lastFullWrite?: number;
	/** How many writes came since. */
	writesSinceFullWrite: number;
}

/** See `FULL_WRITE_SECONDS`; the first write of a process is a full one, and so is one after the clock went back. */
function isFullWriteDue(record: TriggerRecord, now: number, limits: RetryMemoryLimits): boolean {
	const last = record.lastFullWrite;
	if (last === undefined || now < last || now - last >= FULL_WRITE_MAX_SECONDS) return true;
	return now - last >= FULL_WRITE_SECONDS && record.writesSinceFullWrite + 1 >= limits.maxEntries * SURPLUS_SHARE;
}

/**
 * When the request's copy is what a write of this record made (its `writtenBy`), it holds everything that
 * write checked: each delivery stored since an earlier request loaded its copy (that write's request loaded
 * its copy before this one, which loaded the save of that write). So only the deliveries stored after that
 * write can be missing: these, if the record still has every one of them; otherwise undefined.
 */
function storedSinceOwnWrite(record: TriggerRecord, copyWrittenBy: unknown): Remembered[] | undefined {
	const prefix = `${record.writerId}.`;
	if (typeof copyWrittenBy !== 'string' || !copyWrittenBy.startsWith(prefix)) return undefined;
	const lastInCopy = Number(copyWrittenBy.slice(prefix.length));
	const recent = record.recentlyStored;
	const firstRecent = record.storedCount - recent.length + 1;
	if (!Number.isInteger(lastInCopy) || lastInCopy < firstRecent - 1 || lastInCopy > record.storedCount) return undefined;
	return recent.slice(lastInCopy - firstRecent + 1);
}

/**
 * A stored claim lasts the retry window; a pending one, until n8n failed to store it or, if n8n never answers
 * its request, for `PENDING_CLAIM_SECONDS`.
 */
function isCurrent(claim: Claim, now: number, limits: RetryMemoryLimits): boolean {
	if (claim.state === 'stored') return isFresh(claim.at, now, limits);
	return claim.failed?.() !== true && now - claim.at < PENDING_CLAIM_SECONDS;
}

/**
 * This process's record of deliveries, per trigger (workflow and node).
 *
 * A delivery is `pending` from the moment one request claims it until n8n has answered that request, and
 * `stored` once n8n has stored its execution, which n8n does before it answers 200. A claim whose request n8n
 * answered otherwise (it could not store the delivery) no longer holds, whether or not the sender was still
 * there to read the answer, so Begini's retry is accepted anew.
 *
 * `claim` checks and records in one synchronous step. Node.js runs one request's JavaScript at a time, so of
 * several concurrent copies of a delivery reaching this process exactly one claim succeeds. A pending claim
 * that n8n never answers (a request stuck in n8n) stops blocking after `PENDING_CLAIM_SECONDS`; from then on
 * the stored memory alone decides. Stored entries live as long as the retry memory's limits allow.
 */
export class ProcessDeliveries {
	private readonly triggers = new Map<string, TriggerRecord>();

	/** `newWriterId` makes each trigger record's `writerId`; tests give fixed ones. */
	constructor(private readonly newWriterId: () => string = () => randomBytes(9).toString('base64url')) {}

	/**
	 * Where `id` stands; a `new` delivery is now pending for the caller, until it is stored or `failed()`
	 * (whether n8n has answered the caller's request with anything but 200) turns true.
	 */
	claim(trigger: string, id: string, now: number, limits: RetryMemoryLimits, failed?: () => boolean): DeliveryState {
		const { claims } = this.pruned(trigger, now, limits);
		const known = claims.get(id);
		// dated after now (the clock went back): counted from now, or it would not expire until the clock caught up
		if (known !== undefined && known.at > now) known.at = now;
		if (known !== undefined && isCurrent(known, now, limits)) return known.state;
		claims.delete(id);
		claims.set(id, { state: 'pending', at: now, failed });
		return 'new';
	}

	/** n8n answered 200 for the claimed delivery: its execution and the stored memory are saved. */
	markStored(trigger: string, id: string, now: number): void {
		this.markFoundStored(trigger, id, now);
		const record = this.record(trigger);
		record.recentlyStored.push([id, now]);
		record.storedCount++;
	}

	/**
	 * The stored memory already holds this delivery, accepted at `acceptedAt` (perhaps by another process):
	 * later copies are answered from this record, and no write needs to add it again.
	 */
	markFoundStored(trigger: string, id: string, acceptedAt: number): void {
		const { claims } = this.record(trigger);
		claims.delete(id);
		claims.set(id, { state: 'stored', at: acceptedAt });
	}

	/**
	 * What the write of a request that claimed its delivery at `claimedAt` adds to the stored memory. An
	 * ordinary write: what the request's copy lacks of the deliveries this process stored since it was loaded
	 * (a concurrent request's save, in this process or another, may have erased them: each request saves the
	 * whole copy it loaded), and of older ones back to the first the copy holds (see `withDeliveries`); its
	 * cost grows with the deliveries of those seconds, not with the memory. When the copy is one this record
	 * wrote (`copyWrittenBy`, stored beside it from `writtenBy`), only the deliveries stored after that write,
	 * usually none but the request's own. From time to time (see
	 * `FULL_WRITE_SECONDS`) a write adds back every delivery this process still remembers as stored and
	 * rebuilds the memory: that repairs what was erased longer ago, and keeps the memory within its limits, at
	 * a cost that grows with the memory but is spread over deliveries in proportion to it.
	 */
	toWrite(
		trigger: string,
		claimedAt: number,
		now: number,
		limits: RetryMemoryLimits,
		copyWrittenBy?: unknown,
	): MemoryWrite {
		const record = this.record(trigger);
		const recent = record.recentlyStored;
		// no request still in flight claimed before this: older entries can no longer be missing from a copy
		const inFlightSince = now - PENDING_CLAIM_SECONDS - LOAD_BEFORE_CLAIM_SECONDS;
		const firstKept = recent.findIndex(([, at]) => at >= inFlightSince);
		recent.splice(0, firstKept === -1 ? recent.length : firstKept);
		if (isFullWriteDue(record, now, limits)) {
			record.lastFullWrite = now;
			record.writesSinceFullWrite = 0;
			return { entries: this.storedEntries(trigger, now, limits), rebuild: true };
		}
		record.writesSinceFullWrite++;
		const sinceOwnWrite = storedSinceOwnWrite(record, copyWrittenBy);
		if (sinceOwnWrite !== undefined) return { entries: sinceOwnWrite, loadedAfter: Number.NEGATIVE_INFINITY, rebuild: false };
		return { entries: recent, loadedAfter: claimedAt - LOAD_BEFORE_CLAIM_SECONDS, rebuild: false };
	}

	/**
	 * What to store beside the memory a write makes, so that a later request that loads it knows whose write
	 * it is: this record's, in this process (not another process's, or this one's before a restart), and the
	 * number of its last stored delivery, which that write holds.
	 */
	writtenBy(trigger: string): string {
		const record = this.record(trigger);
		return `${record.writerId}.${record.storedCount}`;
	}

	/**
	 * n8n did not store the claimed delivery: a retry must be accepted, not taken for a duplicate. (A claim
	 * whose `failed()` says so is treated as released anyway; this forgets it, and what it refers to, at once.)
	 */
	release(trigger: string, id: string): void {
		const claims = this.triggers.get(trigger)?.claims;
		if (claims?.get(id)?.state === 'pending') claims.delete(id);
	}

	/** The deliveries this process saw stored for a trigger and still remembers, oldest first. */
	storedEntries(trigger: string, now: number, limits: RetryMemoryLimits): Remembered[] {
		const stored: Remembered[] = [];
		for (const [id, claim] of this.pruned(trigger, now, limits).claims) {
			if (claim.state === 'stored') stored.push([id, claim.at]);
		}
		return stored;
	}

	private record(trigger: string): TriggerRecord {
		let record = this.triggers.get(trigger);
		if (record === undefined) {
			record = { claims: new Map(), recentlyStored: [], writerId: this.newWriterId(), storedCount: 0, writesSinceFullWrite: 0 };
			this.triggers.set(trigger, record);
		}
		return record;
	}

	/** The trigger's record without expired or surplus claims (insertion order is claim order). */
	private pruned(trigger: string, now: number, limits: RetryMemoryLimits): TriggerRecord {
		const record = this.record(trigger);
		const { claims } = record;
		for (const [id, claim] of claims) {
			if (isCurrent(claim, now, limits) && claims.size <= limits.maxEntries) break;
			claims.delete(id);
		}
		return record;
	}
}
