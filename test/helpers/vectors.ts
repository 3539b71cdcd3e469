import { readFileSync } from 'fs';
import { join } from 'path';

import type { SignatureAlgorithm } from '../../nodes/BeginiTrigger/verify';

/** Signatures computed by Python's hmac (test/fixtures/make_signature_vectors.py), never by the code under test. */
export interface SignatureVector {
	name: string;
	body: Buffer;
	key: string;
	algorithm: SignatureAlgorithm;
	signature: string;
}

const FIXTURES = join(__dirname, '..', 'fixtures');

interface StoredVector {
	name: string;
	bodyFile?: string;
	bodyBase64?: string;
	key: string;
	algorithm: SignatureAlgorithm;
	signature: string;
}

const stored = JSON.parse(readFileSync(join(FIXTURES, 'signature-vectors.json'), 'utf8')) as {
	keys: { current: string; previous: string; testEnvironment: string; unicode: string };
	vectors: StoredVector[];
};

export const KEYS = stored.keys;

export const VECTORS: SignatureVector[] = stored.vectors.map((vector) => ({
	name: vector.name,
	key: vector.key,
	algorithm: vector.algorithm,
	signature: vector.signature,
	body: vector.bodyFile
		? readFileSync(join(FIXTURES, vector.bodyFile))
		: Buffer.from(vector.bodyBase64 ?? '', 'base64'),
}));

export function vector(name: string): SignatureVector {
	const found = VECTORS.find((candidate) => candidate.name === name);
	if (!found) throw new Error(`no signature vector named "${name}"`);
	return found;
}

/** The exact bytes of a sample delivery in test/fixtures/events. */
export function eventBody(eventType: string): Buffer {
	return readFileSync(join(FIXTURES, 'events', `${eventType}.json`));
}
