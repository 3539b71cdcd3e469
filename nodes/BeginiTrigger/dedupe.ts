import { createHash } from 'crypto';

import type { BeginiPayload } from './types';

/**
 * Retry memory: which deliveries were already accepted, so that Begini's retries start nothing.
 *
 * Begini sends no delivery id, so the key comes from the content. Two places remember keys:
 * - the workflow's static data (`SeenDeliveries`), which survives restarts; n8n saves it only when the
 *   execution that the trigger started writes it, so the node writes it from `execute()`;
 * - `RecentDeliveries`, an in-process record, which static data cannot replace: every request loads its
 *   own copy of static data, so two copies of one delivery arriving together would both look new.
 */

/** The node's defaults: Begini's retry schedule is not published, so the window is generous. */
export const DEFAULT_RETRY_WINDOW_HOURS = 72;
export const DEFAULT_RETRY_MEMORY_SIZE = 5000;

/** How long and how many deliveries are remembered. */
export interface RetryMemoryLimits {
	maxAgeSeconds: number;
	maxEntries: number;
}

/** Delivery id → when it was accepted (Unix epoch seconds). Compact, because n8n rewrites it on every event. */
export type SeenDeliveries = Record<string, number>;

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

/** Reads the stored ids, dropping anything that is not an id with a time (a hand-edited or foreign value). */
export function readSeenDeliveries(stored: unknown): SeenDeliveries {
	const seen: SeenDeliveries = {};
	if (typeof stored !== 'object' || stored === null || Array.isArray(stored)) return seen;
	for (const [id, acceptedAt] of Object.entries(stored)) {
		if (typeof acceptedAt === 'number' && Number.isFinite(acceptedAt)) seen[id] = acceptedAt;
	}
	return seen;
}

function isFresh(acceptedAt: number, now: number, limits: RetryMemoryLimits): boolean {
	return now - acceptedAt < limits.maxAgeSeconds;
}

/**
 * Whether `id` is in the stored memory and still fresh. Looks up the one id in the stored value as it is,
 * so a request does not copy the whole memory to answer one question.
 */
export function wasSeen(stored: unknown, id: string, now: number, limits: RetryMemoryLimits): boolean {
	if (typeof stored !== 'object' || stored === null || !Object.prototype.hasOwnProperty.call(stored, id)) {
		return false;
	}
	const acceptedAt: unknown = (stored as Record<string, unknown>)[id];
	return typeof acceptedAt === 'number' && Number.isFinite(acceptedAt) && isFresh(acceptedAt, now, limits);
}

/**
 * Adds deliveries and prunes: entries past the age limit go, then the oldest beyond the count limit.
 * Returns a new object; an id given twice keeps its earliest time.
 */
export function rememberDeliveries(
	seen: SeenDeliveries,
	accepted: Iterable<[string, number]>,
	now: number,
	limits: RetryMemoryLimits,
): SeenDeliveries {
	const merged = new Map<string, number>(Object.entries(seen));
	for (const [id, acceptedAt] of accepted) {
		const known = merged.get(id);
		merged.set(id, known === undefined ? acceptedAt : Math.min(known, acceptedAt));
	}
	const kept = [...merged].filter(([, acceptedAt]) => isFresh(acceptedAt, now, limits));
	if (kept.length > limits.maxEntries) {
		kept.sort((a, b) => b[1] - a[1]);
		kept.length = limits.maxEntries;
	}
	return Object.fromEntries(kept);
}

/**
 * The in-process record of accepted deliveries, per trigger (workflow and node).
 *
 * `claim` checks and records in one synchronous step. Node.js runs one request's JavaScript at a time, so
 * of several concurrent copies of a delivery reaching this process exactly one claim succeeds.
 * Entries live as long as the retry memory's age and count limits allow; pruning happens on every claim.
 */
export class RecentDeliveries {
	private readonly byTrigger = new Map<string, Map<string, number>>();

	claim(trigger: string, id: string, now: number, limits: RetryMemoryLimits): boolean {
		const accepted = this.pruned(trigger, now, limits);
		const acceptedAt = accepted.get(id);
		if (acceptedAt !== undefined) return false;
		accepted.set(id, now);
		if (accepted.size > limits.maxEntries) {
			const oldest = accepted.keys().next().value as string;
			accepted.delete(oldest);
		}
		this.byTrigger.set(trigger, accepted);
		return true;
	}

	/** What this process accepted for a trigger and still remembers. */
	entries(trigger: string, now: number, limits: RetryMemoryLimits): Array<[string, number]> {
		return [...this.pruned(trigger, now, limits)];
	}

	/** The trigger's record without expired or surplus entries (insertion order is acceptance order). */
	private pruned(trigger: string, now: number, limits: RetryMemoryLimits): Map<string, number> {
		const accepted = this.byTrigger.get(trigger) ?? new Map<string, number>();
		for (const [id, acceptedAt] of accepted) {
			if (isFresh(acceptedAt, now, limits) && accepted.size <= limits.maxEntries) break;
			accepted.delete(id);
		}
		if (accepted.size === 0) this.byTrigger.delete(trigger);
		return accepted;
	}
}
