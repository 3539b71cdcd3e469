import { createHmac } from 'crypto';
import fc from 'fast-check';
import type { IDataObject } from 'n8n-workflow';

import { KNOWN_EVENT_TYPES } from '../../nodes/BeginiTrigger/types';
import type { Answer } from '../helpers/localN8n';
import { LocalN8n } from '../helpers/localN8n';
import { KEYS } from '../helpers/vectors';

/**
 * Property-based fuzzing of Begini Trigger's webhook path, through n8n-core's WebhookContext and
 * WorkflowExecute over loopback HTTP (test/helpers/localN8n.ts): arbitrary bytes, headers and JSON shapes,
 * signed and unsigned. Signatures are made here with Node's crypto.createHmac, independently of the node's
 * verify.ts. Fixed seed and bounded runs, so every `npm test` runs the same cases; a failure prints the
 * smallest case fast-check found.
 *
 * Properties:
 * 1. it never throws (no 500, no error logged) and never answers 200 to an unsigned or wrongly signed body;
 * 2. it never drops a correctly signed JSON object: 200, accepted (one execution whose item holds the payload
 *    key for key), ignored by the Events filter, or a duplicate; never 400;
 * 3. a correctly signed body that is not a JSON object gets 400 with a reason, and starts nothing;
 * 4. no item and no log line ever holds the API key, a signature, or a credential-like header's value.
 */

const SEED = 1717;
const RUNS = { refused: 150, accepted: 150, notAnObject: 60 };

const credential = { apiKey: KEYS.current, previousApiKey: KEYS.previous, environment: 'production' };
const SECRET_MARK = 'fuzz-secret-';

/** Three triggers with different options, so that every run meets one of them. */
const PARAMETERS: IDataObject[] = [
	{},
	{ simplify: false, options: { includeHeaders: true, deduplicateBy: 'eventIdentity' } },
	{ events: ['psychometric_score.complete', 'application.expired'], options: { includeHeaders: true, acceptLegacySignatureHeader: true } },
];
let triggers: LocalN8n[] = [];

beforeAll(async () => {
	triggers = PARAMETERS.map((parameters) => new LocalN8n({ credential, parameters, executionLatencyMs: 0 }));
	await Promise.all(triggers.map((trigger) => trigger.start()));
});
afterAll(async () => Promise.all(triggers.map((trigger) => trigger.stop())));

function hmac(body: Buffer, key: string, algorithm: 'sha512' | 'sha256' = 'sha512'): string {
	return createHmac(algorithm, Buffer.from(key, 'utf8')).update(body).digest('hex');
}

// ---- generators -------------------------------------------------------------------------------------------

/** Lowercase hex of a length between the two. */
const hex = (minLength: number, maxLength = minLength) => fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength, maxLength });

/** Keys that break naive code, among ordinary ones. */
const key = fc.oneof(
	fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', 'uid', 'event', 'type', ''),
	fc.string({ maxLength: 12 }),
	fc.string({ unit: 'grapheme', maxLength: 8 }),
);
const jsonLeaf = fc.oneof(fc.string({ maxLength: 20 }), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null));
/** Objects built with own properties (Object.fromEntries), so that a "__proto__" key is really in the JSON. */
const { json } = fc.letrec<{ json: unknown; object: Record<string, unknown> }>((tie) => ({
	json: fc.oneof({ depthSize: 'small', withCrossShrink: true }, jsonLeaf, tie('object'), fc.array(tie('json'), { maxLength: 4 })),
	object: fc.array(fc.tuple(key, tie('json')), { maxLength: 5 }).map((entries) => Object.fromEntries(entries)),
}));
const anyObject = fc.array(fc.tuple(key, json), { maxLength: 6 }).map((entries) => Object.fromEntries(entries));

/** Begini's envelope, with known and unknown types, odd traits and extra fields. */
const beginiLike = fc
	.record({
		uid: fc.oneof(fc.string({ maxLength: 20 }), json),
		integration_id: fc.oneof(hex(24), json),
		type: fc.oneof(fc.constantFrom(...KNOWN_EVENT_TYPES), fc.string({ maxLength: 20 })),
		score: fc.oneof(fc.integer({ min: 0, max: 1000 }), json),
		traits: fc.array(
			fc.oneof(
				fc.record({ key: fc.oneof(fc.constantFrom('__proto__', 'constructor', 'toString'), key), value: json, risk_band: json }),
				fc.record({ key: json, value: json, risk_band: json }, { requiredKeys: [] }),
			),
			{ maxLength: 5 },
		),
		extra: anyObject,
	})
	.map(({ uid, integration_id, type, score, traits, extra }) => ({
		...extra,
		uid,
		integration_id,
		event: { type, details: { scored_at: 1776161525, calculated: { score, risk_band: 'B', traits } } },
	}));

const signedObject = fc.record({
	payload: fc.oneof(beginiLike, anyObject),
	indent: fc.constantFrom(0, 2),
	bom: fc.boolean(),
	key: fc.constantFrom(KEYS.current, KEYS.previous),
});

const HEADER_NAME = /^[a-z][a-z0-9-]{0,24}$/;
/** Headers the transport or the test sets itself. */
const RESERVED_HEADERS = new Set(['content-length', 'content-encoding', 'transfer-encoding', 'host', 'connection', 'keep-alive', 'expect', 'upgrade', 'te', 'trailer', 'content-type', 'x-signature', 'x-begini-signature']);
const headerValue = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)), maxLength: 40 }).map((value) => value.trim());
/** Extra headers: arbitrary ones, and credential-like ones carrying a value that must never reach an item. */
const extraHeaders = fc
	.array(
		fc.oneof(
			fc.tuple(fc.stringMatching(HEADER_NAME), headerValue),
			fc.tuple(
				fc.constantFrom('x-api-key', 'proxy-authorization', 'x-n8n-api-key', 'x-auth-token', 'x-client-secret', 'cookie', 'x-session', 'x-my-password'),
				hex(8, 16).map((value) => `${SECRET_MARK}${value}`),
			),
		),
		{ maxLength: 6 },
	)
	.map((pairs) => Object.fromEntries(pairs.filter(([name]) => !RESERVED_HEADERS.has(name))));
const contentType = fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', 'application/octet-stream', 'application/x-www-form-urlencoded');

const anyBody = fc.oneof(
	fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)),
	json.map((value) => Buffer.from(JSON.stringify(value) ?? '', 'utf8')),
	signedObject.map(({ payload }) => Buffer.from(JSON.stringify(payload), 'utf8')),
);

/** Every way a signature can be missing or wrong. */
type BadSignature = (body: Buffer) => Record<string, string>;
const badSignature: fc.Arbitrary<[string, BadSignature]> = fc.oneof(
	fc.constant<[string, BadSignature]>(['none', () => ({})]),
	hex(128).map<[string, BadSignature]>((hex) => ['random hex', () => ({ 'x-signature': hex })]),
	headerValue.filter((value) => value !== '').map<[string, BadSignature]>((text) => ['random text', () => ({ 'x-signature': text })]),
	fc.string({ minLength: 1, maxLength: 30 }).filter((k) => k !== KEYS.current && k !== KEYS.previous).map<[string, BadSignature]>((wrongKey) => ['another key', (body) => ({ 'x-signature': hmac(body, wrongKey) })]),
	fc.constant<[string, BadSignature]>(['another body', (body) => ({ 'x-signature': hmac(Buffer.concat([body, Buffer.from(' ')]), KEYS.current) })]),
	fc.nat({ max: 127 }).map<[string, BadSignature]>((at) => ['one digit changed', (body) => {
		const good = hmac(body, KEYS.current);
		return { 'x-signature': good.slice(0, at) + (good[at] === '0' ? '1' : '0') + good.slice(at + 1) };
	}]),
	fc.constant<[string, BadSignature]>(['SHA-256 of the body', (body) => ({ 'x-signature': hmac(body, KEYS.current, 'sha256') })]),
	fc.constant<[string, BadSignature]>(['in X-Begini-Signature, uppercase SHA-256', (body) => ({ 'x-begini-signature': hmac(body, KEYS.current, 'sha256').toUpperCase() })]),
);

// ---- checks -----------------------------------------------------------------------------------------------

/** The keys a simplified item's `traits` must have: each trait's key, a string or a finite number as text. */
function traitKeys(payload: { event?: { details?: { calculated?: { traits?: unknown } } } }): string[] {
	const traits = payload.event?.details?.calculated?.traits;
	if (!Array.isArray(traits)) return [];
	const keys = traits
		.filter((trait) => typeof trait === 'object' && trait !== null && !Array.isArray(trait))
		.map(({ key: traitKey }) => (typeof traitKey === 'string' ? traitKey : typeof traitKey === 'number' && Number.isFinite(traitKey) ? String(traitKey) : null))
		.filter((traitKey): traitKey is string => traitKey !== null);
	return [...new Set(keys)].sort();
}

interface Sent {
	trigger: LocalN8n;
	answer: Answer;
	/** The executions the request started. */
	started: IDataObject[][];
}

async function send(triggerIndex: number, test: boolean, body: Buffer, headers: Record<string, string>): Promise<Sent> {
	const trigger = triggers[triggerIndex];
	const before = trigger.executions.length;
	const answer = await trigger.post(body, headers, test ? trigger.testUrl : trigger.productionUrl);
	await trigger.idle();
	return { trigger, answer, started: trigger.executions.slice(before).map((execution) => execution.items) };
}

/** Property 4, and "never throws": nothing secret in items or logs, no error logged, no 500. */
function expectNothingLeaked(sent: Sent, secrets: string[]): void {
	expect(sent.answer.status).not.toBe(500);
	const logs = triggers.flatMap((trigger) => trigger.logs);
	expect(logs.filter((entry) => entry.level === 'error')).toEqual([]);
	const seen = JSON.stringify([sent.started, logs]);
	for (const secret of [KEYS.current, KEYS.previous, SECRET_MARK, ...secrets]) {
		if (secret.length >= 8) expect(seen).not.toContain(secret);
	}
}

const where = fc.record({ trigger: fc.nat({ max: PARAMETERS.length - 1 }), test: fc.boolean() });
const settings = { seed: SEED };

describe('Begini Trigger webhook, fuzzed (fast-check, seed 1717)', () => {
	it(`property 1 and 4: an unsigned or wrongly signed body is never answered 200, and starts nothing (${RUNS.refused} runs)`, async () => {
		await fc.assert(
			fc.asyncProperty(where, anyBody, badSignature, extraHeaders, contentType, async (at, body, [, sign], headers, type) => {
				const signature = sign(body);
				const sent = await send(at.trigger, at.test, body, { ...headers, ...signature, 'content-type': type });
				expect(sent.answer.status).toBe(401);
				expect(sent.answer.json).toEqual({ error: expect.stringMatching(/^(missing|malformed) signature$|^signature mismatch$/) });
				expect(sent.started).toEqual([]);
				expectNothingLeaked(sent, [...Object.values(signature), hmac(body, KEYS.current)]);
			}),
			{ ...settings, numRuns: RUNS.refused },
		);
	}, 120_000);

	it(`property 2 and 4: a correctly signed JSON object is never dropped (${RUNS.accepted} runs)`, async () => {
		await fc.assert(
			fc.asyncProperty(where, signedObject, extraHeaders, async (at, { payload, indent, bom, key: signingKey }, headers) => {
				const text = JSON.stringify(payload, null, indent);
				const body = Buffer.concat([Buffer.from(bom ? '\uFEFF' : '', 'utf8'), Buffer.from(text, 'utf8')]);
				const signature = hmac(body, signingKey);
				const sent = await send(at.trigger, at.test, body, { ...headers, 'x-signature': signature, 'content-type': 'application/json' });
				expect(sent.answer.status).toBe(200);
				const status = (sent.answer.json as { status: string }).status;
				expect(['accepted', 'ignored', 'duplicate']).toContain(status);
				if (status === 'ignored') {
					const selected = PARAMETERS[at.trigger].events as string[];
					expect(selected).not.toContain((payload as { event?: { type?: unknown } }).event?.type);
				}
				if (status === 'accepted') {
					expect(sent.started).toHaveLength(1);
					const [item] = sent.started[0];
					// the payload key for key, "__proto__" and the like included, and with Simplify every trait by its key
					expect(JSON.stringify(item.payload ?? item.body)).toBe(JSON.stringify(JSON.parse(text)));
					if (item.traits !== undefined) expect(Object.keys(item.traits as IDataObject).sort()).toEqual(traitKeys(JSON.parse(text)));
				} else {
					expect(sent.started).toEqual([]);
				}
				expectNothingLeaked(sent, [signature]);
			}),
			{ ...settings, numRuns: RUNS.accepted },
		);
	}, 120_000);

	it(`property 3: a correctly signed body that is not a JSON object gets 400 with a reason (${RUNS.notAnObject} runs)`, async () => {
		const notAnObject = fc.oneof(
			fc.uint8Array({ maxLength: 100 }).map((bytes) => Buffer.from(bytes)),
			fc.oneof(jsonLeaf, fc.array(json, { maxLength: 3 })).map((value) => Buffer.from(JSON.stringify(value), 'utf8')),
		).filter((body) => {
			try {
				const parsed: unknown = JSON.parse(body.toString('utf8').replace(/^\uFEFF/, ''));
				return typeof parsed !== 'object' || parsed === null || Array.isArray(parsed);
			} catch {
				return true;
			}
		});
		await fc.assert(
			fc.asyncProperty(where, notAnObject, contentType, async (at, body, type) => {
				const signature = hmac(body, KEYS.current);
				const sent = await send(at.trigger, at.test, body, { 'x-signature': signature, 'content-type': type });
				expect(sent.answer.status).toBe(400);
				expect(sent.answer.json).toEqual({ error: expect.stringMatching(/^body is not (valid JSON|a JSON object)$/) });
				expect(sent.started).toEqual([]);
				expectNothingLeaked(sent, [signature]);
			}),
			{ ...settings, numRuns: RUNS.notAnObject },
		);
	}, 120_000);
});
