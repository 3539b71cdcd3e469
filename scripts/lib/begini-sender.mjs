// Builds, signs and sends Begini-style webhook deliveries.
// Plain Node.js (>= 20) ESM, built-ins only. Used by scripts/send.mjs and the e2e suite.
//
// Begini signs each delivery with the header `X-Signature`: the lowercase hex
// HMAC-SHA512 of the raw request body bytes, keyed with the API key (UTF-8).

import { createHmac } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const FIXTURES_DIR = join(ROOT, 'test', 'fixtures', 'events');
export const DEFAULT_EVENT_TYPE = 'psychometric_score.complete';
export const SIGNATURE_HEADER = 'X-Signature';

/** Event types for which a sample payload exists in test/fixtures/events. */
export function fixtureEventTypes() {
	return readdirSync(FIXTURES_DIR)
		.filter((f) => f.endsWith('.json'))
		.map((f) => f.slice(0, -'.json'.length))
		.sort();
}

/** The sample payload (parsed) for an event type, e.g. 'application.expired'. */
export function loadFixture(eventType = DEFAULT_EVENT_TYPE) {
	const file = join(FIXTURES_DIR, `${eventType}.json`);
	let text;
	try {
		text = readFileSync(file, 'utf8');
	} catch {
		throw new Error(
			`No sample payload for event type "${eventType}" (${file}). Known: ${fixtureEventTypes().join(', ')}`,
		);
	}
	return JSON.parse(text);
}

/**
 * Returns a copy of a payload with some fields replaced: `type` (event.type),
 * `uid`, `riskBand` (event.details.calculated.risk_band), `score`.
 */
export function customizePayload(payload, { type, uid, riskBand, score } = {}) {
	const p = structuredClone(payload);
	if (type !== undefined) {
		p.event ??= {};
		p.event.type = type;
	}
	if (uid !== undefined) p.uid = uid;
	if (riskBand !== undefined || score !== undefined) {
		p.event ??= {};
		p.event.details ??= {};
		p.event.details.calculated ??= {};
		if (riskBand !== undefined) p.event.details.calculated.risk_band = riskBand;
		if (score !== undefined) p.event.details.calculated.score = score;
	}
	return p;
}

/** Lowercase hex HMAC of the raw body bytes keyed with the key (UTF-8). */
export function signBody(body, key, algorithm = 'sha512') {
	return createHmac(algorithm, Buffer.from(key, 'utf8'))
		.update(Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8'))
		.digest('hex');
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

export function isLoopbackUrl(url) {
	const u = new URL(url);
	return LOOPBACK_HOSTS.has(u.hostname) || /^127\.\d+\.\d+\.\d+$/.test(u.hostname);
}

/**
 * Prepares one delivery (without sending it).
 *
 * @param {object} o
 * @param {string} o.url             the webhook URL
 * @param {string} [o.key]           API key used for signing
 * @param {object|string|Buffer} [o.payload] the body; default: the fixture for `type`
 * @param {string} [o.type]          event type (picks the fixture; overrides event.type of a given payload only when `overrideType` is set)
 * @param {boolean} [o.unsigned]     send no signature header
 * @param {boolean} [o.tampered]     sign the original body, then change a byte of it
 * @param {string} [o.wrongKey]      sign with this key instead of `key`
 * @param {string} [o.header]        signature header name (default X-Signature)
 * @param {'sha512'|'sha256'} [o.algorithm]
 * @param {object} [o.extraHeaders]
 */
export function buildDelivery(o) {
	const algorithm = o.algorithm ?? 'sha512';
	const header = o.header ?? SIGNATURE_HEADER;
	let body;
	if (Buffer.isBuffer(o.payload)) body = o.payload;
	else if (typeof o.payload === 'string') body = Buffer.from(o.payload, 'utf8');
	else {
		const payload = o.payload ?? loadFixture(o.type ?? DEFAULT_EVENT_TYPE);
		body = Buffer.from(JSON.stringify(payload, null, 2), 'utf8');
	}
	const headers = {
		'content-type': 'application/json',
		'user-agent': 'n8n-nodes-begini-sender/1.0',
		...(o.extraHeaders ?? {}),
	};
	let signature;
	if (!o.unsigned) {
		const key = o.wrongKey ?? o.key;
		if (!key) throw new Error('A key is needed to sign (or pass unsigned: true)');
		signature = signBody(body, key, algorithm);
		headers[header] = signature;
	}
	if (o.tampered) {
		// Change the body after signing it: the signature no longer matches.
		const text = body.toString('utf8');
		const changed = text.includes('"APP-')
			? text.replace('"APP-', '"APX-')
			: text.replace(/}\s*$/, ', "tampered": true}');
		body = Buffer.from(changed, 'utf8');
	}
	return { url: o.url, method: 'POST', headers, body, signature, algorithm, header };
}

/** Sends a prepared delivery. Resolves to { status, headers, text, json }. */
export async function sendDelivery(delivery, { allowNonLoopback = false, timeoutMs = 30_000 } = {}) {
	if (!allowNonLoopback && !isLoopbackUrl(delivery.url)) {
		throw new Error(
			`Refusing to send to a non-loopback URL (${delivery.url}); pass allowNonLoopback / --allow-non-loopback to do it anyway`,
		);
	}
	const res = await fetch(delivery.url, {
		method: delivery.method ?? 'POST',
		headers: delivery.headers,
		body: delivery.body,
		// A redirect is the receiver's answer, not followed: the signed delivery goes to the URL given and
		// nowhere else (fetch would send it on to any host, this machine or not). Begini counts it as a failure.
		redirect: 'manual',
		signal: AbortSignal.timeout(timeoutMs),
	});
	const text = await res.text();
	let json;
	try {
		json = JSON.parse(text);
	} catch {
		json = undefined;
	}
	return { status: res.status, headers: Object.fromEntries(res.headers), text, json };
}
