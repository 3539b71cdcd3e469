import { createHmac, timingSafeEqual } from 'crypto';

import type { SigningKey } from './types';

/** Begini signs with HMAC-SHA512; SHA-256 only exists in one of Begini's older documentation samples. */
export type SignatureAlgorithm = 'sha512' | 'sha256';

export type SignatureRejection =
	| 'no API key configured'
	| 'missing signature'
	| 'malformed signature'
	| 'signature mismatch';

export type SignatureCheck =
	| { valid: true; signedWith: SigningKey }
	| { valid: false; reason: SignatureRejection };

export interface SignatureKeys {
	current: string;
	/** Accepted too while a key is being rotated; empty when unused. */
	previous: string;
}

const HEX_DIGEST_LENGTH: Record<SignatureAlgorithm, number> = { sha512: 128, sha256: 64 };

const HEX = /^[0-9a-fA-F]+$/;

/**
 * Checks a Begini signature: the hex HMAC of the exact body bytes, keyed with the API key (UTF-8).
 *
 * The header's format is checked before anything is decoded, so a malformed value is named as such and
 * never reaches the comparison, and digests are compared as bytes in constant time.
 * `header` is what Node gives for the header: a repeated header arrives joined by commas or as an array,
 * which is rejected rather than guessed at.
 */
export function verifySignature(
	rawBody: Buffer,
	header: string | string[] | undefined,
	keys: SignatureKeys,
	algorithm: SignatureAlgorithm,
): SignatureCheck {
	if (keys.current === '' && keys.previous === '') {
		return { valid: false, reason: 'no API key configured' };
	}
	if (header === undefined || header === '' || (Array.isArray(header) && header.length === 0)) {
		return { valid: false, reason: 'missing signature' };
	}
	if (Array.isArray(header) && header.length > 1) {
		return { valid: false, reason: 'malformed signature' };
	}
	const value = (Array.isArray(header) ? header[0] : header).trim();
	if (value.length !== HEX_DIGEST_LENGTH[algorithm] || !HEX.test(value)) {
		return { valid: false, reason: 'malformed signature' };
	}

	const received = Buffer.from(value, 'hex');
	const candidates: Array<[SigningKey, string]> = [
		['current', keys.current],
		['previous', keys.previous],
	];
	for (const [name, key] of candidates) {
		if (key === '') continue;
		const expected = createHmac(algorithm, Buffer.from(key, 'utf8')).update(rawBody).digest();
		if (timingSafeEqual(expected, received)) return { valid: true, signedWith: name };
	}
	return { valid: false, reason: 'signature mismatch' };
}
