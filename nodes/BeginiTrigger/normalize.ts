import type {
	BeginiCalculatedScore,
	BeginiEvent,
	BeginiPayload,
	BeginiTrait,
	DeliveryMetadata,
	DeviceScoreDetails,
	RawBeginiItem,
	SimplifiedBeginiItem,
	SimplifiedTrait,
} from './types';

export type ParsedPayload = { ok: true; payload: BeginiPayload } | { ok: false; reason: string };

/**
 * Parses the exact body bytes as Begini's JSON envelope. Only "not a JSON object" is refused: any object,
 * whatever its fields, is a delivery to pass on.
 */
export function parsePayload(rawBody: Buffer): ParsedPayload {
	let parsed: unknown;
	try {
		// A UTF-8 byte-order mark is legal in front of JSON but not accepted by JSON.parse.
		parsed = JSON.parse(rawBody.toString('utf8').replace(/^\uFEFF/, ''));
	} catch {
		return { ok: false, reason: 'body is not valid JSON' };
	}
	if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
		return { ok: false, reason: 'body is not a JSON object' };
	}
	return { ok: true, payload: parsed as BeginiPayload };
}

/** What n8n's body parser left on the request (see `deliveryPayload`). */
export interface ParsedRequest {
	contentType?: string;
	encoding?: string;
	body?: unknown;
}

/**
 * The delivery's payload. n8n parses a body sent as `application/json` before `webhook()` runs, from the same bytes
 * (decoded with the request's charset, a byte-order mark removed); when it read them as UTF-8, as
 * `parsePayload` does, its object is used, so that a large body is not parsed twice. Otherwise the exact
 * bytes are parsed here.
 */
export function deliveryPayload(rawBody: Buffer, request: ParsedRequest): ParsedPayload {
	const { contentType, encoding, body } = request;
	const parsedAsHere = contentType === 'application/json' && (encoding === 'utf-8' || encoding === 'utf8');
	if (parsedAsHere && typeof body === 'object' && body !== null && !Array.isArray(body)) {
		return { ok: true, payload: body as BeginiPayload };
	}
	return parsePayload(rawBody);
}

/** `event.type`, or null when the payload has none. */
export function eventTypeOf(payload: BeginiPayload): string | null {
	return text(payload.event?.type);
}

/**
 * The value as an object of the given Begini shape, or an empty one. The shape only names the fields to
 * look at: each field's value is still checked where it is read, since Begini may send anything.
 */
function fields<Shape>(value: unknown): Partial<Shape> {
	return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Partial<Shape>) : {};
}

/** Begini's ids and labels are opaque strings; a number is taken as its text. */
function text(value: unknown): string | null {
	if (typeof value === 'string') return value;
	if (typeof value === 'number' && Number.isFinite(value)) return String(value);
	return null;
}

/** Scores are documented as integers; a numeric string is read as the number it spells. */
function numberOrNull(value: unknown): number | null {
	if (typeof value === 'number') return Number.isFinite(value) ? value : null;
	if (typeof value === 'string' && value.trim() !== '') {
		const parsed = Number(value);
		return Number.isFinite(parsed) ? parsed : null;
	}
	return null;
}

function listOrNull(value: unknown): unknown[] | null {
	return Array.isArray(value) ? value : null;
}

/** Begini's times are integer epoch seconds. */
function epochAndIso(value: unknown): [number | null, string | null] {
	const seconds = numberOrNull(value);
	if (seconds === null) return [null, null];
	const date = new Date(seconds * 1000);
	return [seconds, Number.isNaN(date.getTime()) ? null : date.toISOString()];
}

/**
 * Traits by their key. Keys are Begini's data, so the object is built with `Object.fromEntries`, which defines
 * own properties: a key such as "__proto__" or "constructor" is kept as a trait like any other, where an
 * assignment would set the object's prototype and lose the trait. Of two traits with one key, the last wins.
 */
function traitsByKey(value: unknown): Record<string, SimplifiedTrait> {
	if (!Array.isArray(value)) return {};
	const traits: Array<[string, SimplifiedTrait]> = [];
	for (const entry of value) {
		const trait = fields<BeginiTrait>(entry);
		const key = text(trait.key);
		if (key === null) continue;
		traits.push([key, { value: trait.value ?? null, riskBand: text(trait.risk_band) }]);
	}
	return Object.fromEntries(traits);
}

/** Flat, typed fields for any event type: what a type does not carry is null (or empty), never an error. */
export function simplify(payload: BeginiPayload, metadata: DeliveryMetadata): SimplifiedBeginiItem {
	const event = fields<BeginiEvent>(payload.event);
	// Device-score details are the widest documented shape: every other type's details are a subset.
	const details = fields<DeviceScoreDetails>(event.details);
	const calculated = fields<BeginiCalculatedScore>(details.calculated);
	const [applicationStartedAt, applicationStartedAtIso] = epochAndIso(details.application_started_at);
	const [applicationCompletedAt, applicationCompletedAtIso] = epochAndIso(details.application_completed_at);
	const [scoredAt, scoredAtIso] = epochAndIso(details.scored_at);
	return {
		eventType: text(event.type),
		uid: text(payload.uid),
		integrationId: text(payload.integration_id),
		environment: metadata.environment,
		platform: text(details.platform),
		score: numberOrNull(calculated.score),
		riskBand: text(calculated.risk_band),
		scoreConfidence: text(calculated.score_confidence),
		traits: traitsByKey(calculated.traits),
		reasons: Array.isArray(event.reasons) ? event.reasons : [],
		permissionsGranted: listOrNull(details.permissions_granted),
		permissionsDenied: listOrNull(details.permissions_denied),
		applicationStartedAt,
		applicationStartedAtIso,
		applicationCompletedAt,
		applicationCompletedAtIso,
		scoredAt,
		scoredAtIso,
		receivedAt: metadata.receivedAt,
		deliveryId: metadata.deliveryId,
		signedWithPreviousKey: metadata.signedWithPreviousKey,
		...(metadata.headers && { headers: metadata.headers }),
		payload,
	};
}

/** The payload untouched under `body`, next to the delivery metadata (the shape of n8n's Webhook node). */
export function asReceived(payload: BeginiPayload, metadata: DeliveryMetadata): RawBeginiItem {
	return { body: payload, ...metadata };
}

/**
 * Which headers never reach an item: any whose name contains one of these fragments (case-insensitive), so that
 * the credential headers of any sender, proxy or gateway are covered, not only the ones someone listed.
 * Redacting a harmless header by mistake costs little; copying a secret into execution history does not.
 */
const CREDENTIAL_NAME_FRAGMENTS = [
	'auth', // authorization, proxy-authorization, x-auth-token, …
	'token',
	'secret',
	'key', // api-key, x-api-key, x-n8n-api-key, …
	'pass', // password, passphrase, passcode
	'pwd',
	'sign', // x-signature, x-begini-signature, x-hub-signature-256, x-signed-…
	'cookie',
	'session',
	'credential',
	'csrf',
	'xsrf',
	'jwt',
	'bearer',
];

/** And any value that carries an HTTP authentication scheme, whatever its header is called. */
const AUTHENTICATION_SCHEME = /^\s*(basic|bearer|digest|negotiate|ntlm|token|aws4-hmac-sha256)\s/i;

export const REDACTED = '[redacted]';

function isCredentialHeader(name: string, value: string | string[]): boolean {
	const lowerName = name.toLowerCase();
	if (CREDENTIAL_NAME_FRAGMENTS.some((fragment) => lowerName.includes(fragment))) return true;
	return (Array.isArray(value) ? value : [value]).some((one) => AUTHENTICATION_SCHEME.test(one));
}

/** A copy of the headers with credential-like ones redacted; header names are kept as own keys, whatever they are. */
export function redactHeaders(
	headers: Record<string, string | string[] | undefined>,
): Record<string, string | string[]> {
	const kept: Array<[string, string | string[]]> = [];
	for (const [name, value] of Object.entries(headers)) {
		if (value === undefined) continue;
		kept.push([name, isCredentialHeader(name, value) ? REDACTED : value]);
	}
	// fromEntries defines own properties: a name such as "__proto__" stays a key instead of setting the prototype
	return Object.fromEntries(kept);
}
