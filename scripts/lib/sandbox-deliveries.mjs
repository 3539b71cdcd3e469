// The Begini sandbox's webhook side: which events an applicant's outcome produces, and their delivery,
// signed like Begini (X-Signature: hex HMAC-SHA512 of the raw body with the environment's API key) and resent
// like Begini: on any answer but 200 and on a timeout. Begini publishes neither the number of attempts nor the
// schedule; the sandbox uses the delays below (shortened by `fast: true` for tests and demos).
// Plain Node.js (>= 20), built-ins only.

import { buildDelivery, customizePayload, loadFixture, sendDelivery } from './begini-sender.mjs';

/** Delays before the 2nd, 3rd, … attempt: five attempts in about 12 minutes. */
export const RETRY_DELAYS_MS = [5_000, 30_000, 120_000, 600_000];
export const FAST_RETRY_DELAYS_MS = [200, 500, 1_000, 2_000];
/** How long an attempt waits for the receiver's answer before it counts as timed out. */
export const ATTEMPT_TIMEOUT_MS = 10_000;
export const FAST_ATTEMPT_TIMEOUT_MS = 3_000;

/** What playing the applicant sends, in order. Begini sends both events of a completion, in either order. */
export const OUTCOME_EVENTS = {
	complete: ['application.complete', 'psychometric_score.complete'],
	expire: ['application.expired'],
	cancel: ['application.cancelled'],
	abandon: ['application.incomplete'],
};

/** The event type the sandbox's test API sends. Begini does not publish its test delivery's type. */
export const TEST_EVENT_TYPE = 'webhook.test';

/** One event's payload for a session, from the sample in test/fixtures/events, with the session's values. */
export function outcomePayload(type, session, { riskBand, score, now = new Date() } = {}) {
	const fixture = loadFixture(type);
	// Only score events carry a band and a score.
	const scored = fixture.event?.details?.calculated !== undefined;
	const payload = customizePayload(fixture, scored ? { uid: session.uid, riskBand, score } : { uid: session.uid });
	payload.integration_id = session.integrationId;
	const details = payload.event.details ?? {};
	const seconds = Math.floor(now.getTime() / 1000);
	const started = Math.min(Math.floor(Date.parse(session.createdAt) / 1000), seconds);
	if ('application_started_at' in details) details.application_started_at = started;
	if ('application_completed_at' in details) details.application_completed_at = seconds;
	if ('scored_at' in details) details.scored_at = seconds;
	return payload;
}

export function testEventPayload(integrationId) {
	return { uid: 'begini-test-event', integration_id: integrationId, event: { type: TEST_EVENT_TYPE, details: {} } };
}

/** One signed attempt: { status, body } for an answer, { error } for none (timed out, refused, …). */
export async function attemptDelivery({ url, apiKey, body, timeoutMs }) {
	const delivery = buildDelivery({ url, key: apiKey, payload: body });
	try {
		const answer = await sendDelivery(delivery, { timeoutMs });
		return { status: answer.status, body: answer.text };
	} catch (e) {
		const timedOut = e.name === 'TimeoutError' || e.name === 'AbortError';
		return { error: timedOut ? 'timeout' : (e.cause?.code ?? e.cause?.message ?? e.message) };
	}
}

/**
 * Delivers one body until the receiver answers 200 or the attempts run out. `timeOutFirstAttempt` treats the
 * first attempt's answer as lost, as when the receiver answers after Begini stopped waiting: the receiver got
 * the delivery and Begini sends it again. Resolves to the delivery record once it is settled.
 */
export function deliverWithRetries({ url, apiKey, body, delaysMs, timeoutMs, timeOutFirstAttempt = false, timers, onAttempt }) {
	const record = { url, attempts: [], status: 'pending' };
	let firstDone;
	const firstAttempt = new Promise((resolve) => {
		firstDone = resolve;
	});
	const settled = new Promise((resolve) => {
		const attempt = async () => {
			const started = Date.now();
			let result = await attemptDelivery({ url, apiKey, body, timeoutMs });
			if (timeOutFirstAttempt && record.attempts.length === 0) result = { ...result, lost: true };
			record.attempts.push({ ...result, ms: Date.now() - started });
			if (result.status === 200 && !result.lost) {
				record.status = 'delivered';
				delete record.nextAttemptInMs;
				onAttempt?.(record);
				firstDone();
				return resolve(record);
			}
			const delay = delaysMs[record.attempts.length - 1];
			if (delay === undefined || timers.stopped) {
				record.status = 'failed';
				delete record.nextAttemptInMs;
				onAttempt?.(record);
				firstDone();
				return resolve(record);
			}
			record.nextAttemptInMs = delay;
			onAttempt?.(record);
			firstDone();
			timers.later(delay, attempt, () => {
				record.status = 'stopped';
				resolve(record);
			});
		};
		void attempt();
	});
	// Not enumerable: a record is shown as JSON, its promises are for the code that waits on it.
	Object.defineProperties(record, { settled: { value: settled }, firstAttempt: { value: firstAttempt } });
	return record;
}

/** Timers that `stop()` cancels all at once, so a stopped sandbox leaves nothing scheduled. */
export class Timers {
	#pending = new Set();
	stopped = false;

	/** Runs `fn` after `ms`, or `onCancel` if the sandbox stops first. */
	later(ms, fn, onCancel) {
		const entry = { onCancel };
		entry.timer = setTimeout(() => {
			this.#pending.delete(entry);
			fn();
		}, ms);
		this.#pending.add(entry);
	}

	stop() {
		this.stopped = true;
		for (const entry of this.#pending) {
			clearTimeout(entry.timer);
			entry.onCancel?.();
		}
		this.#pending.clear();
	}
}
