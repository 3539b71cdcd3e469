import { asReceived, deliveryPayload, eventTypeOf, parsePayload, redactHeaders, simplify } from '../../nodes/BeginiTrigger/normalize';
import type { BeginiPayload, DeliveryMetadata } from '../../nodes/BeginiTrigger/types';
import { KNOWN_EVENT_TYPES } from '../../nodes/BeginiTrigger/types';
import { eventBody, vector } from '../helpers/vectors';

const metadata: DeliveryMetadata = {
	deliveryId: 'AAAAAAAAAAAAAAAA',
	receivedAt: '2026-04-14T10:00:00.000Z',
	environment: 'production',
	signedWithPreviousKey: false,
};

function payloadOf(eventType: string): BeginiPayload {
	const parsed = parsePayload(eventBody(eventType));
	if (!parsed.ok) throw new Error(parsed.reason);
	return parsed.payload;
}

const NO_SCORE = {
	platform: null,
	score: null,
	riskBand: null,
	scoreConfidence: null,
	traits: {},
	permissionsGranted: null,
	permissionsDenied: null,
	scoredAt: null,
	scoredAtIso: null,
};

describe('parsePayload', () => {
	it('accepts any JSON object', () => {
		expect(parsePayload(Buffer.from('{}'))).toEqual({ ok: true, payload: {} });
	});

	it('strips a UTF-8 byte-order mark before parsing', () => {
		const parsed = parsePayload(vector('body with a UTF-8 byte-order mark signed with the current key').body);
		expect(parsed.ok && parsed.payload.uid).toBe('APP-BOM');
	});

	it.each([
		['an array', '[{"uid":"A"}]', 'body is not a JSON object'],
		['a string', '"hello"', 'body is not a JSON object'],
		['null', 'null', 'body is not a JSON object'],
		['a number', '42', 'body is not a JSON object'],
		['form-encoded', 'uid=APP-1', 'body is not valid JSON'],
		['empty', '', 'body is not valid JSON'],
		['truncated JSON', '{"uid":', 'body is not valid JSON'],
	])('refuses %s with a reason', (_label, body, reason) => {
		expect(parsePayload(Buffer.from(body))).toEqual({ ok: false, reason });
	});
});

describe('deliveryPayload', () => {
	// n8n's own object differs from the bytes here, so that each case shows which of the two was used
	const rawBody = Buffer.from('{"uid":"from the bytes"}');
	const parsedByN8n = { uid: 'parsed by n8n' };

	it("takes n8n's object when n8n parsed the body as JSON read as UTF-8", () => {
		for (const encoding of ['utf-8', 'utf8']) {
			expect(deliveryPayload(rawBody, { contentType: 'application/json', encoding, body: parsedByN8n })).toEqual({ ok: true, payload: parsedByN8n });
		}
	});

	it.each([
		['another content type', { contentType: 'application/vnd.begini+json', encoding: 'utf-8', body: parsedByN8n }],
		['text', { contentType: 'text/plain', encoding: 'utf-8', body: '{"uid":"parsed by n8n"}' }],
		['another charset', { contentType: 'application/json', encoding: 'latin1', body: parsedByN8n }],
		['no body parsed', { contentType: 'application/json', encoding: 'utf-8' }],
		['an array parsed', { contentType: 'application/json', encoding: 'utf-8', body: [parsedByN8n] }],
		['no content type', { body: parsedByN8n }],
	])('parses the exact bytes itself for %s', (_label, request) => {
		expect(deliveryPayload(rawBody, request)).toEqual({ ok: true, payload: { uid: 'from the bytes' } });
	});

	it('refuses what n8n did not parse into an object, for the same reasons as parsePayload', () => {
		expect(deliveryPayload(Buffer.from('[1]'), { contentType: 'application/json', encoding: 'utf-8', body: [1] })).toEqual({
			ok: false,
			reason: 'body is not a JSON object',
		});
	});
});

describe('simplify, for every documented event type', () => {
	it('has a sample payload for each of the seven types', () => {
		for (const type of KNOWN_EVENT_TYPES) expect(eventTypeOf(payloadOf(type))).toBe(type);
	});

	it('psychometric_score.complete: score, band, confidence, traits by key, times as epoch and ISO', () => {
		const payload = payloadOf('psychometric_score.complete');
		expect(simplify(payload, metadata)).toEqual({
			eventType: 'psychometric_score.complete',
			uid: 'APP-2026-000123',
			integrationId: '65f1c2a9e4b0a1d2c3e4f5a6',
			environment: 'production',
			platform: 'WEB',
			score: 712,
			riskBand: 'B',
			scoreConfidence: 'HIGH',
			traits: {
				conscientiousness: { value: '0.733333333333333', riskBand: 'A' },
				impulsivity: { value: '0.333333333333333', riskBand: 'C' },
			},
			reasons: [],
			permissionsGranted: null,
			permissionsDenied: null,
			applicationStartedAt: 1776160800,
			applicationStartedAtIso: '2026-04-14T10:00:00.000Z',
			applicationCompletedAt: 1776161520,
			applicationCompletedAtIso: '2026-04-14T10:12:00.000Z',
			scoredAt: 1776161525,
			scoredAtIso: '2026-04-14T10:12:05.000Z',
			receivedAt: metadata.receivedAt,
			deliveryId: metadata.deliveryId,
			signedWithPreviousKey: false,
			payload,
		});
	});

	it('android_score.complete: score, band and permissions', () => {
		const item = simplify(payloadOf('android_score.complete'), metadata);
		expect(item).toMatchObject({
			eventType: 'android_score.complete',
			platform: 'ANDROID',
			score: 655,
			riskBand: 'C',
			scoreConfidence: null,
			traits: {},
			permissionsGranted: ['READ_CALENDAR', 'ACCESS_COARSE_LOCATION'],
			permissionsDenied: ['READ_CONTACTS'],
			scoredAtIso: '2026-04-14T10:05:10.000Z',
		});
	});

	it('ios_score.complete: score and band, no permissions given', () => {
		expect(simplify(payloadOf('ios_score.complete'), metadata)).toMatchObject({
			eventType: 'ios_score.complete',
			platform: 'IOS',
			score: 590,
			riskBand: 'D',
			permissionsGranted: null,
			permissionsDenied: null,
		});
	});

	it('application.complete: journey times, no score', () => {
		expect(simplify(payloadOf('application.complete'), metadata)).toMatchObject({
			eventType: 'application.complete',
			...NO_SCORE,
			applicationStartedAtIso: '2026-04-14T10:00:00.000Z',
			applicationCompletedAtIso: '2026-04-14T10:12:00.000Z',
			reasons: [],
		});
	});

	it.each([
		['application.expired', []],
		['application.incomplete', ['SESSION_ABANDONED']],
		['application.cancelled', ['PRIVACY_POLICY_REJECTED']],
	])('%s: reasons as sent, everything else null', (type, reasons) => {
		expect(simplify(payloadOf(type), metadata)).toMatchObject({
			eventType: type,
			...NO_SCORE,
			applicationStartedAt: null,
			applicationStartedAtIso: null,
			reasons,
		});
	});
});

describe('simplify, for what nobody documented', () => {
	it('passes a type nobody knows yet through, with its unknown fields', () => {
		const unknown = parsePayload(vector('unknown event type signed with the current key').body);
		if (!unknown.ok) throw new Error('fixture');
		const item = simplify(unknown.payload, metadata);
		expect(item).toMatchObject({ eventType: 'loan_offer.accepted', uid: 'APP-2026-000999', ...NO_SCORE });
		expect(item.payload).toEqual(unknown.payload);
		expect(item.payload.extra_top_level).toEqual([1, 2]);
	});

	it('survives an empty object and wrong types without throwing', () => {
		expect(simplify({}, metadata)).toMatchObject({ eventType: null, uid: null, integrationId: null, ...NO_SCORE, reasons: [] });
		const odd = {
			uid: 42,
			event: { type: 'psychometric_score.complete', details: { calculated: 'x', scored_at: 'soon' }, reasons: 'none' },
		} as unknown as BeginiPayload;
		expect(simplify(odd, metadata)).toMatchObject({ uid: '42', score: null, scoredAt: null, reasons: [] });
	});

	it('reads a numeric string score as a number and drops malformed traits', () => {
		const payload = {
			event: {
				type: 'psychometric_score.complete',
				details: {
					calculated: {
						score: '701',
						traits: [{ key: 'grit', value: '0.5' }, { value: 'no key' }, null, 'x'],
					},
				},
			},
		} as unknown as BeginiPayload;
		expect(simplify(payload, metadata)).toMatchObject({
			score: 701,
			traits: { grit: { value: '0.5', riskBand: null } },
		});
	});

	it('keeps trait keys that name Object.prototype members as ordinary keys, and pollutes nothing', () => {
		const parsed = parsePayload(vector('body with prototype-named keys signed with the current key').body);
		if (!parsed.ok) throw new Error(parsed.reason);
		const { traits } = simplify(parsed.payload, metadata);
		expect(Object.getPrototypeOf(traits)).toBe(Object.prototype);
		expect(Object.keys(traits)).toEqual(['__proto__', 'constructor', 'hasOwnProperty', 'toString']);
		expect(Object.getOwnPropertyDescriptor(traits, '__proto__')?.value).toEqual({ value: '0.1', riskBand: 'A' });
		expect(traits.constructor).toEqual({ value: '0.2', riskBand: 'B' });
		// what n8n stores (JSON) holds every trait
		expect(Object.keys(JSON.parse(JSON.stringify(traits)))).toEqual(['__proto__', 'constructor', 'hasOwnProperty', 'toString']);
		expect(({} as Record<string, unknown>).polluted).toBeUndefined();
	});

	it('keeps the delivery metadata and headers when given', () => {
		const withHeaders = { ...metadata, environment: 'test' as const, headers: { 'content-type': 'application/json' } };
		expect(simplify({}, withHeaders)).toMatchObject({ environment: 'test', headers: { 'content-type': 'application/json' } });
		expect(simplify({}, metadata)).not.toHaveProperty('headers');
	});
});

describe('asReceived', () => {
	it('keeps the payload untouched under body, next to the metadata', () => {
		const payload = payloadOf('psychometric_score.complete');
		expect(asReceived(payload, metadata)).toEqual({ body: payload, ...metadata });
	});
});

describe('redactHeaders', () => {
	it.each([
		'x-api-key',
		'proxy-authorization',
		'x-n8n-api-key',
		'x-auth-token',
		'x-client-secret',
		'x-hub-signature-256',
		'set-cookie',
		'x-session-id',
		'x-amz-security-token',
		'x-password',
		'x-goog-iap-jwt-assertion',
		'x-csrf-token',
		'x-forwarded-client-credential',
		'X-Private-Key',
	])('redacts %s: its name is credential-like', (name) => {
		expect(redactHeaders({ [name]: 'secret-value', 'x-request-id': 'r-1' })).toEqual({ [name]: '[redacted]', 'x-request-id': 'r-1' });
	});

	it('redacts a value that carries an HTTP authentication scheme, whatever the header', () => {
		expect(redactHeaders({ 'x-forwarded-authz': 'Bearer abc', 'x-upstream': 'Basic dXNlcjpwYXNz', via: '1.1 proxy' })).toEqual({
			'x-forwarded-authz': '[redacted]',
			'x-upstream': '[redacted]',
			via: '1.1 proxy',
		});
	});

	it('keeps a header that names an Object.prototype member as an ordinary key', () => {
		const copy = redactHeaders(JSON.parse('{"__proto__":"p","constructor":"c","x-token":"t"}'));
		expect(Object.keys(copy)).toEqual(['__proto__', 'constructor', 'x-token']);
		expect(Object.getOwnPropertyDescriptor(copy, '__proto__')?.value).toBe('p');
		expect(copy['x-token']).toBe('[redacted]');
	});

	it('redacts signatures and credentials, whatever their case, and keeps the rest', () => {
		expect(
			redactHeaders({
				'x-signature': 'abc',
				'X-Begini-Signature': 'def',
				authorization: 'Bearer x',
				cookie: 'a=b',
				'api-key': 'k',
				'content-type': 'application/json',
				'x-forwarded-for': ['1.1.1.1', '2.2.2.2'],
				'x-empty': undefined,
			}),
		).toEqual({
			'x-signature': '[redacted]',
			'X-Begini-Signature': '[redacted]',
			authorization: '[redacted]',
			cookie: '[redacted]',
			'api-key': '[redacted]',
			'content-type': 'application/json',
			'x-forwarded-for': ['1.1.1.1', '2.2.2.2'],
		});
	});
});
