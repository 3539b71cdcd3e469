import { createHash } from 'crypto';
import { setTimeout as sleep } from 'timers/promises';

import { FULL_WRITE_SECONDS } from '../../nodes/BeginiTrigger/dedupe';
import { KNOWN_EVENT_TYPES } from '../../nodes/BeginiTrigger/types';
import { LocalN8n, withLocalN8n } from '../helpers/localN8n';
import type { LocalN8nOptions } from '../helpers/localN8n';
import { decodeRetryMemory, encodeRetryMemory, rememberedIds } from '../helpers/retryMemory';
import { eventBody, KEYS, vector } from '../helpers/vectors';

const psychometric = vector('psychometric_score.complete signed with the current key');
const productionCredential = { apiKey: KEYS.current, previousApiKey: '', environment: 'production' };

/** Everything jest's fake timers can fake but Date. */
type FakeableApi = NonNullable<Extract<Parameters<typeof jest.useFakeTimers>[0], { doNotFake?: unknown }>['doNotFake']>[number];
const TIMERS_BUT_DATE: FakeableApi[] = [
	'hrtime',
	'nextTick',
	'performance',
	'queueMicrotask',
	'requestAnimationFrame',
	'cancelAnimationFrame',
	'requestIdleCallback',
	'cancelIdleCallback',
	'setImmediate',
	'clearImmediate',
	'setInterval',
	'clearInterval',
	'setTimeout',
	'clearTimeout',
];

function signed(v: { signature: string }) {
	return { 'x-signature': v.signature };
}

function withN8n(options: LocalN8nOptions, run: (n8n: LocalN8n) => Promise<void>) {
	return withLocalN8n({ credential: productionCredential, ...options }, run);
}

describe('Begini Trigger webhook, accepted deliveries', () => {
	it.each(KNOWN_EVENT_TYPES.map((type) => [type]))('%s: 200, one execution, one typed item', async (type) =>
		withN8n({}, async (n8n) => {
			const v = vector(`${type} signed with the current key`);
			const answer = await n8n.post(v.body, signed(v));
			await n8n.idle();

			expect(answer.status).toBe(200);
			expect(answer.contentType).toMatch(/^application\/json/);
			expect(answer.json).toEqual({ status: 'accepted', deliveryId: expect.stringMatching(/^[\w-]{16}$/) });
			expect(n8n.executions).toHaveLength(1);
			expect(n8n.executions[0].status).toBe('success');
			const [item] = n8n.executions[0].items;
			expect(item).toMatchObject({
				eventType: type,
				uid: 'APP-2026-000123',
				integrationId: '65f1c2a9e4b0a1d2c3e4f5a6',
				environment: 'production',
				deliveryId: (answer.json as { deliveryId: string }).deliveryId,
				signedWithPreviousKey: false,
				payload: JSON.parse(eventBody(type).toString('utf8')),
			});
			expect(Date.parse(item.receivedAt as string)).not.toBeNaN();
		}),
	);

	it('emits flat fields a Switch node can branch on', async () =>
		withN8n({}, async (n8n) => {
			await n8n.post(psychometric.body, signed(psychometric));
			await n8n.idle();
			expect(n8n.executions[0].items[0]).toMatchObject({
				score: 712,
				riskBand: 'B',
				scoreConfidence: 'HIGH',
				traits: { impulsivity: { value: '0.333333333333333', riskBand: 'C' } },
				scoredAtIso: '2026-04-14T10:12:05.000Z',
			});
		}));

	it('with Simplify off, emits the payload exactly as received under body', async () =>
		withN8n({ parameters: { simplify: false } }, async (n8n) => {
			await n8n.post(psychometric.body, signed(psychometric));
			await n8n.idle();
			const [item] = n8n.executions[0].items;
			expect(Object.keys(item).sort()).toEqual(
				['body', 'deliveryId', 'environment', 'receivedAt', 'signedWithPreviousKey'].sort(),
			);
			expect(item.body).toEqual(JSON.parse(psychometric.body.toString('utf8')));
		}));

	it('accepts a signed event of a type nobody knows yet, with its unknown fields', async () =>
		withN8n({}, async (n8n) => {
			const v = vector('unknown event type signed with the current key');
			expect((await n8n.post(v.body, signed(v))).status).toBe(200);
			await n8n.idle();
			expect(n8n.executions[0].items[0]).toMatchObject({
				eventType: 'loan_offer.accepted',
				payload: { extra_top_level: [1, 2], event: { details: { new_field: true } } },
			});
		}));

	it('verifies the exact bytes whatever the content type, reading the body itself when n8n did not', async () =>
		withN8n({ readBodyBeforeWebhook: false }, async (n8n) => {
			const v = vector('non-ASCII body signed with the current key');
			const answer = await n8n.post(v.body, { ...signed(v), 'content-type': 'application/vnd.begini+json; charset=utf-8' });
			await n8n.idle();
			expect(answer.status).toBe(200);
			expect(n8n.executions[0].items[0]).toMatchObject({ uid: 'APP-ñandú-ü', reasons: ['Ablehnung der Datenschutzerklärung'] });
		}));

	it('takes the environment from the credential', async () =>
		withN8n(
			{ credential: { apiKey: KEYS.testEnvironment, previousApiKey: '', environment: 'test' } },
			async (n8n) => {
				const v = vector("signed with the Test environment's key");
				expect((await n8n.post(v.body, signed(v))).status).toBe(200);
				await n8n.idle();
				expect(n8n.executions[0].items[0].environment).toBe('test');
			},
		));

	it('includes request headers on request, with the signature redacted', async () =>
		withN8n({ parameters: { options: { includeHeaders: true } } }, async (n8n) => {
			await n8n.post(psychometric.body, { ...signed(psychometric), 'x-request-id': 'r-1' });
			await n8n.idle();
			const headers = n8n.executions[0].items[0].headers as Record<string, string>;
			expect(headers).toMatchObject({ 'x-signature': '[redacted]', 'x-request-id': 'r-1' });
			expect(JSON.stringify(n8n.executions[0].items[0])).not.toContain(psychometric.signature);
		}));
});

describe('Begini Trigger webhook, refused deliveries', () => {
	it.each([
		['no signature header', {}, 'missing signature'],
		['a truncated signature', { 'x-signature': psychometric.signature.slice(2) }, 'malformed signature'],
		['a non-hex signature', { 'x-signature': 'z'.repeat(128) }, 'malformed signature'],
		['a signature of another body', signed(vector('application.complete signed with the current key')), 'signature mismatch'],
		["the Test environment's key", signed(vector("signed with the Test environment's key")), 'signature mismatch'],
	])('%s: 401 with a reason, no execution, one warning without secrets', async (_label, headers, reason) =>
		withN8n({}, async (n8n) => {
			const v = vector("signed with the Test environment's key");
			const body = reason === 'signature mismatch' && _label.includes('Test') ? v.body : psychometric.body;
			const answer = await n8n.post(body, headers);
			await n8n.idle();

			expect(answer.status).toBe(401);
			expect(answer.json).toEqual({ error: reason });
			expect(n8n.executions).toHaveLength(0);
			const warnings = n8n.logs.filter((entry) => entry.level === 'warn');
			expect(warnings).toHaveLength(1);
			const logged = JSON.stringify(n8n.logs);
			for (const secret of [KEYS.current, psychometric.signature, 'APP-2026-000123', '"score"']) {
				expect(logged).not.toContain(secret);
			}
		}),
	);

	it('a tampered body: 401 signature mismatch', async () =>
		withN8n({}, async (n8n) => {
			const tampered = psychometric.body.toString('utf8').replace('"risk_band": "B"', '"risk_band": "A"');
			const answer = await n8n.post(tampered, signed(psychometric));
			expect(answer).toMatchObject({ status: 401, json: { error: 'signature mismatch' } });
			expect(n8n.executions).toHaveLength(0);
		}));

	it('the header given twice: 401 malformed signature', async () =>
		withN8n({}, async (n8n) => {
			const response = await fetch(n8n.productionUrl, {
				method: 'POST',
				headers: [
					['content-type', 'application/json'],
					['x-signature', psychometric.signature],
					['x-signature', psychometric.signature],
				],
				body: new Uint8Array(psychometric.body),
			});
			expect(response.status).toBe(401);
			expect(await response.json()).toEqual({ error: 'malformed signature' });
		}));

	it.each([
		['an empty API key', { apiKey: '', previousApiKey: '', environment: 'production' }],
		['no credential at all', null],
	])('fails closed with %s: 401, no execution', async (_label, credential) =>
		withN8n({ credential }, async (n8n) => {
			const answer = await n8n.post(psychometric.body, signed(psychometric));
			expect(answer).toMatchObject({ status: 401, json: { error: 'no API key configured' } });
			expect(n8n.executions).toHaveLength(0);
			expect(JSON.stringify(n8n.logs)).not.toContain(psychometric.signature);
		}));

	it.each([
		['a JSON array', 'JSON array body signed with the current key', 'body is not a JSON object'],
		['form-encoded text', 'body that is not JSON signed with the current key', 'body is not valid JSON'],
		['an empty body', 'empty body signed with the current key', 'body is not valid JSON'],
	])('a correctly signed body that is %s: 400 with a reason, no execution', async (_label, name, reason) =>
		withN8n({}, async (n8n) => {
			const v = vector(name);
			const answer = await n8n.post(v.body, signed(v));
			expect(answer).toMatchObject({ status: 400, json: { error: reason } });
			expect(n8n.executions).toHaveLength(0);
		}));

	it('reads X-Begini-Signature only when the option is on', async () => {
		const legacyHeader = { 'x-begini-signature': psychometric.signature };
		await withN8n({}, async (n8n) => {
			expect((await n8n.post(psychometric.body, legacyHeader)).json).toEqual({ error: 'missing signature' });
		});
		await withN8n({ parameters: { options: { acceptLegacySignatureHeader: true } } }, async (n8n) => {
			expect((await n8n.post(psychometric.body, legacyHeader)).status).toBe(200);
		});
	});

	it('checks HMAC-SHA256 when configured for the legacy algorithm', async () =>
		withN8n({ parameters: { options: { signatureAlgorithm: 'sha256' } } }, async (n8n) => {
			const v = vector('legacy HMAC-SHA256');
			expect((await n8n.post(v.body, signed(v))).status).toBe(200);
			expect((await n8n.post(psychometric.body, signed(psychometric))).json).toEqual({ error: 'malformed signature' });
		}));
});

describe('Begini Trigger webhook, key rotation', () => {
	const rotating = { apiKey: KEYS.current, previousApiKey: KEYS.previous, environment: 'production' };

	it('accepts the previous key while it is set, and marks the item', async () =>
		withN8n({ credential: rotating }, async (n8n) => {
			const v = vector('signed with the previous key');
			expect((await n8n.post(v.body, signed(v))).status).toBe(200);
			await n8n.idle();
			expect(n8n.executions[0].items[0].signedWithPreviousKey).toBe(true);
		}));

	it('refuses the previous key once it is cleared', async () =>
		withN8n({}, async (n8n) => {
			const v = vector('signed with the previous key');
			expect((await n8n.post(v.body, signed(v))).json).toEqual({ error: 'signature mismatch' });
		}));
});

describe('Begini Trigger webhook, Events filter', () => {
	it('a type not selected: 200 ignored, no execution, nothing remembered', async () =>
		withN8n({ parameters: { events: ['psychometric_score.complete'] } }, async (n8n) => {
			const v = vector('application.expired signed with the current key');
			const answer = await n8n.post(v.body, signed(v));
			await n8n.idle();
			expect(answer).toMatchObject({ status: 200, json: { status: 'ignored', reason: 'event type not selected' } });
			expect(n8n.executions).toHaveLength(0);
			expect(rememberedIds(n8n.storedNodeData.seenDeliveries ?? '')).toEqual([]);
		}));

	it('a selected type starts the workflow', async () =>
		withN8n({ parameters: { events: ['psychometric_score.complete', 'android_score.complete'] } }, async (n8n) => {
			expect((await n8n.post(psychometric.body, signed(psychometric))).json).toMatchObject({ status: 'accepted' });
			await n8n.idle();
			expect(n8n.executions).toHaveLength(1);
		}));

	it('an unknown type is ignored when a filter is set, and accepted when none is', async () => {
		const v = vector('unknown event type signed with the current key');
		await withN8n({ parameters: { events: ['psychometric_score.complete'] } }, async (n8n) => {
			expect((await n8n.post(v.body, signed(v))).json).toMatchObject({ status: 'ignored' });
		});
		await withN8n({ parameters: { events: [] } }, async (n8n) => {
			expect((await n8n.post(v.body, signed(v))).json).toMatchObject({ status: 'accepted' });
		});
	});
});

describe('Begini Trigger webhook, durable acknowledgement', () => {
	it('answers 200 only once n8n has stored the execution', async () => {
		let storeExecution = () => {};
		const stalled = new Promise<void>((resolve) => (storeExecution = resolve));
		await withN8n({ beforeStore: () => stalled }, async (n8n) => {
			let answered = false;
			const answer = n8n.post(psychometric.body, signed(psychometric)).finally(() => (answered = true));
			await sleep(300);
			expect(answered).toBe(false);
			expect(n8n.executions).toHaveLength(0);
			expect(rememberedIds(n8n.storedNodeData.seenDeliveries ?? '')).toEqual([]);

			storeExecution();
			expect(await answer).toMatchObject({ status: 200, json: { status: 'accepted' } });
			expect(n8n.executions).toHaveLength(1);
			expect(rememberedIds(n8n.storedNodeData.seenDeliveries)).toHaveLength(1);
		});
	});

	it('when n8n cannot store the execution: not 200, nothing remembered, and the retry runs once', async () => {
		let failures = 1;
		await withN8n(
			{
				beforeStore: () => {
					if (failures-- > 0) throw new Error('database unavailable');
				},
			},
			async (n8n) => {
				const failed = await n8n.post(psychometric.body, signed(psychometric));
				expect(failed.status).toBe(500);
				expect(rememberedIds(n8n.storedNodeData.seenDeliveries ?? '')).toEqual([]);

				const retried = await n8n.post(psychometric.body, signed(psychometric));
				await n8n.idle();
				expect(retried).toMatchObject({ status: 200, json: { status: 'accepted' } });
				expect(n8n.executions).toHaveLength(1);
				expect((await n8n.post(psychometric.body, signed(psychometric))).json).toMatchObject({ status: 'duplicate' });
			},
		);
	});

	it('a copy that arrives while the first is stalled gets 409, and is accepted once the first failed', async () => {
		let failStore: (error: Error) => void = () => {};
		const stalled = new Promise<void>((_resolve, reject) => (failStore = reject));
		let calls = 0;
		await withN8n({ beforeStore: () => (calls++ === 0 ? stalled : undefined) }, async (n8n) => {
			const first = n8n.post(psychometric.body, signed(psychometric));
			await sleep(200);
			const copy = await n8n.post(psychometric.body, signed(psychometric));
			expect(copy.status).toBe(409);

			failStore(new Error('database unavailable'));
			expect((await first).status).toBe(500);
			const retried = await n8n.post(psychometric.body, signed(psychometric));
			await n8n.idle();
			expect(retried).toMatchObject({ status: 200, json: { status: 'accepted' } });
			expect(n8n.executions).toHaveLength(1);
		});
	});

	it('the sender leaves while n8n stores, and the store fails: a copy meanwhile gets 409, the retry after is accepted and runs once', async () => {
		let failStore: (error: Error) => void = () => {};
		const stalled = new Promise<void>((_resolve, reject) => (failStore = reject));
		let calls = 0;
		await withN8n({ beforeStore: () => (calls++ === 0 ? stalled : undefined) }, async (n8n) => {
			const gaveUp = await n8n.post(psychometric.body, signed(psychometric), n8n.productionUrl, { leaveAfterMs: 300 });
			expect(gaveUp.status).toBe(0);
			const copy = await n8n.post(psychometric.body, signed(psychometric));
			expect(copy).toMatchObject({ status: 409, json: { error: 'delivery in progress' } });

			failStore(new Error('database unavailable'));
			await sleep(50); // n8n writes its 500 to the closed connection
			const retried = await n8n.post(psychometric.body, signed(psychometric));
			await n8n.idle();
			expect(retried).toMatchObject({ status: 200, json: { status: 'accepted' } });
			expect(n8n.executions).toHaveLength(1);
			expect((await n8n.post(psychometric.body, signed(psychometric))).json).toMatchObject({ status: 'duplicate' });
		});
	});

	it('the sender leaves while n8n stores, and the store succeeds: the retry is a duplicate', async () => {
		let storeExecution = () => {};
		const stalled = new Promise<void>((resolve) => (storeExecution = resolve));
		let calls = 0;
		await withN8n({ beforeStore: () => (calls++ === 0 ? stalled : undefined) }, async (n8n) => {
			expect((await n8n.post(psychometric.body, signed(psychometric), n8n.productionUrl, { leaveAfterMs: 300 })).status).toBe(0);
			storeExecution();
			await n8n.idle();
			const retried = await n8n.post(psychometric.body, signed(psychometric));
			expect(retried).toMatchObject({ status: 200, json: { status: 'duplicate' } });
			expect(n8n.executions).toHaveLength(1);
		});
	});

	it('a worker that starts from empty static data (queue mode) cannot erase the memory', async () =>
		withN8n({ executionStaticData: 'empty' }, async (n8n) => {
			const ids = [];
			for (const type of ['psychometric_score.complete', 'android_score.complete', 'ios_score.complete']) {
				const v = vector(`${type} signed with the current key`);
				ids.push(((await n8n.post(v.body, signed(v))).json as { deliveryId: string }).deliveryId);
				await n8n.idle();
			}
			expect(rememberedIds(n8n.storedNodeData.seenDeliveries).sort()).toEqual(ids.sort());
		}));
});

describe('Begini Trigger webhook, retries', () => {
	it('a repeat gets 200 duplicate and starts nothing; the id was saved before the first answer', async () =>
		withN8n({ executionLatencyMs: 500 }, async (n8n) => {
			expect(n8n.storedNodeData).toEqual({});
			const first = await n8n.post(psychometric.body, signed(psychometric));
			expect(n8n.executions.map((execution) => execution.status)).toEqual(['running']);
			const { deliveryId } = first.json as { deliveryId: string };
			const [[seenId, seenAt], ...others] = decodeRetryMemory(n8n.storedNodeData.seenDeliveries);
			expect([seenId, others]).toEqual([deliveryId, []]);
			expect(Math.abs(seenAt - Date.now() / 1000)).toBeLessThan(60);

			const again = await n8n.post(psychometric.body, signed(psychometric));
			await n8n.idle();
			expect(again).toMatchObject({ status: 200, json: { status: 'duplicate', deliveryId } });
			expect(n8n.executions).toHaveLength(1);
		}));

	it('remembers across a restart of the process (the stored column alone refuses the repeat)', async () => {
		let column = '';
		await withN8n({ workflowId: 'wf-restarted' }, async (n8n) => {
			await n8n.post(psychometric.body, signed(psychometric));
			await n8n.idle();
			column = n8n.staticDataColumn;
		});
		// A fresh module registry is a fresh process: the in-process record starts empty.
		jest.resetModules();
		const { LocalN8n: FreshLocalN8n } = await import('../helpers/localN8n');
		const restarted = new FreshLocalN8n({
			credential: productionCredential,
			staticData: JSON.parse(column),
			workflowId: 'wf-restarted',
		});
		await restarted.start();
		try {
			expect((await restarted.post(psychometric.body, signed(psychometric))).json).toMatchObject({ status: 'duplicate' });
			await restarted.idle();
			expect(restarted.executions).toHaveLength(0);
		} finally {
			await restarted.stop();
		}
	});

	it('20 concurrent copies of one new delivery start exactly one execution; none but the first is answered 200 before it is stored', async () =>
		withN8n({ beforeStore: () => sleep(200) }, async (n8n) => {
			const answers = await Promise.all(
				Array.from({ length: 20 }, () => n8n.post(psychometric.body, signed(psychometric))),
			);
			await n8n.idle();
			const accepted = answers.filter((answer) => answer.status === 200);
			expect(accepted.map((answer) => answer.json)).toEqual([expect.objectContaining({ status: 'accepted' })]);
			const inProgress = answers.filter((answer) => answer.status === 409);
			expect(inProgress).toHaveLength(19);
			expect(inProgress[0].json).toEqual({ error: 'delivery in progress', deliveryId: expect.any(String) });
			expect(n8n.executions).toHaveLength(1);
			// Begini's retries of those 19 come later and are duplicates.
			const retried = await n8n.post(psychometric.body, signed(psychometric));
			expect(retried).toMatchObject({ status: 200, json: { status: 'duplicate' } });
			expect(n8n.executions).toHaveLength(1);
		}));

	it('a copy that arrives after the first was stored, before its execution ends, is a duplicate', async () =>
		withN8n({ executionLatencyMs: 800 }, async (n8n) => {
			await n8n.post(psychometric.body, signed(psychometric));
			const copy = await n8n.post(psychometric.body, signed(psychometric));
			expect(copy).toMatchObject({ status: 200, json: { status: 'duplicate' } });
			await n8n.idle();
			expect(n8n.executions).toHaveLength(1);
		}));

	it('concurrent different deliveries are all accepted and all remembered', async () =>
		withN8n({}, async (n8n) => {
			const types = ['psychometric_score.complete', 'android_score.complete', 'ios_score.complete', 'application.complete'];
			const answers = await Promise.all(
				types.map((type) => {
					const v = vector(`${type} signed with the current key`);
					return n8n.post(v.body, signed(v));
				}),
			);
			await n8n.idle();
			expect(n8n.executions).toHaveLength(4);
			const ids = answers.map((answer) => (answer.json as { deliveryId: string }).deliveryId).sort();
			expect(rememberedIds(n8n.storedNodeData.seenDeliveries).sort()).toEqual(ids);
		}));

	it('event-identity mode refuses a re-serialised copy; payload mode accepts it as new', async () => {
		const reserialised = JSON.stringify(JSON.parse(psychometric.body.toString('utf8')));
		const compact = vector('psychometric compact form signed with the current key');
		expect(compact.body.toString('utf8')).toBe(reserialised);
		await withN8n({ parameters: { options: { deduplicateBy: 'eventIdentity' } } }, async (n8n) => {
			await n8n.post(psychometric.body, signed(psychometric));
			expect((await n8n.post(compact.body, signed(compact))).json).toMatchObject({ status: 'duplicate' });
		});
		await withN8n({}, async (n8n) => {
			await n8n.post(psychometric.body, signed(psychometric));
			expect((await n8n.post(compact.body, signed(compact))).json).toMatchObject({ status: 'accepted' });
		});
	});

	it('prunes expired entries from the stored memory when it writes', async () => {
		const old = Math.floor(Date.now() / 1000) - 73 * 3600;
		await withN8n(
			{ staticData: { 'node:Begini Trigger': { seenDeliveries: encodeRetryMemory([['expiredExpiredEx', old]]) } } },
			async (n8n) => {
				const answer = await n8n.post(psychometric.body, signed(psychometric));
				await n8n.idle();
				expect(rememberedIds(n8n.storedNodeData.seenDeliveries)).toEqual([
					(answer.json as { deliveryId: string }).deliveryId,
				]);
			},
		);
	});

	it('reads a retry memory kept by 0.1.0 (an object of id → time) and converts it on its first write', async () => {
		const now = Math.floor(Date.now() / 1000);
		const compact = vector('psychometric compact form signed with the current key');
		const psychometricId = createHash('sha256').update(psychometric.body).digest('base64url').slice(0, 16);
		const legacy = { [psychometricId]: now - 60, expiredExpiredEx: now - 73 * 3600 };
		await withN8n({ staticData: { 'node:Begini Trigger': { seenDeliveries: legacy } } }, async (n8n) => {
			expect((await n8n.post(psychometric.body, signed(psychometric))).json).toMatchObject({ status: 'duplicate' });
			const answer = await n8n.post(compact.body, signed(compact));
			await n8n.idle();
			expect(new Map(decodeRetryMemory(n8n.storedNodeData.seenDeliveries))).toEqual(
				new Map([
					[psychometricId, now - 60],
					[(answer.json as { deliveryId: string }).deliveryId, expect.any(Number)],
				]),
			);
		});
	});

	it('keeps at most the configured number of deliveries, pruned at most FULL_WRITE_SECONDS later', async () =>
		withN8n({ parameters: { options: { retryMemorySize: 2 } } }, async (n8n) => {
			const send = async (type: string) => {
				const v = vector(`${type} signed with the current key`);
				await n8n.post(v.body, signed(v));
				await n8n.idle();
			};
			for (const type of ['psychometric_score.complete', 'android_score.complete', 'ios_score.complete']) await send(type);
			// only the clock moves on: timers and I/O stay real
			jest.useFakeTimers({ doNotFake: TIMERS_BUT_DATE, now: Date.now() + FULL_WRITE_SECONDS * 1000 });
			try {
				await send('application.complete');
			} finally {
				jest.useRealTimers();
			}
			expect(rememberedIds(n8n.storedNodeData.seenDeliveries)).toHaveLength(2);
		}));

	it('"Listen for test event" deliveries are never deduplicated and never touch the stored memory', async () =>
		withN8n({}, async (n8n) => {
			const first = await n8n.post(psychometric.body, signed(psychometric), n8n.testUrl);
			const second = await n8n.post(psychometric.body, signed(psychometric), n8n.testUrl);
			await n8n.idle();
			expect([first.json, second.json]).toEqual([
				expect.objectContaining({ status: 'accepted' }),
				expect.objectContaining({ status: 'accepted' }),
			]);
			expect(n8n.executions.map((execution) => execution.mode)).toEqual(['manual', 'manual']);
			expect(n8n.storedNodeData).toEqual({});
			// ...and a production delivery of the same event afterwards is still new.
			expect((await n8n.post(psychometric.body, signed(psychometric))).json).toMatchObject({ status: 'accepted' });
		}));
});
