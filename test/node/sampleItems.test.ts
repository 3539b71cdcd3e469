import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'fs';
import { join } from 'path';

import { KNOWN_EVENT_TYPES } from '../../nodes/BeginiTrigger/types';
import type { SimplifiedBeginiItem } from '../../nodes/BeginiTrigger/types';
import { LocalN8n } from '../helpers/localN8n';
import { KEYS, vector } from '../helpers/vectors';

/**
 * examples/sample-items/<event type>.json: what Begini Trigger emits (Simplify on) for each sample delivery in
 * test/fixtures/events, for users to paste as mock data. Each is compared with what the node really emits for
 * that delivery, so a change to the output fails here until the samples are regenerated with
 * `npm run update:sample-items` (which runs this file with UPDATE_SAMPLE_ITEMS=1 and writes them instead).
 */

const SAMPLES_DIR = join(__dirname, '..', '..', 'examples', 'sample-items');
const UPDATE = process.env.UPDATE_SAMPLE_ITEMS === '1';

/** The only field that differs between runs; a fixed time keeps the samples stable. */
const SAMPLE_RECEIVED_AT = '2026-04-14T10:12:06.000Z';

/**
 * Every field of the simplified item, and whether a sample carries it. The compiler refuses this object when a
 * field is added to or removed from `SimplifiedBeginiItem`, so the samples' field list cannot drift silently.
 */
const ITEM_FIELDS: Record<keyof SimplifiedBeginiItem, 'always' | 'optionOnly'> = {
	eventType: 'always',
	uid: 'always',
	integrationId: 'always',
	environment: 'always',
	platform: 'always',
	score: 'always',
	riskBand: 'always',
	scoreConfidence: 'always',
	traits: 'always',
	reasons: 'always',
	permissionsGranted: 'always',
	permissionsDenied: 'always',
	applicationStartedAt: 'always',
	applicationStartedAtIso: 'always',
	applicationCompletedAt: 'always',
	applicationCompletedAtIso: 'always',
	scoredAt: 'always',
	scoredAtIso: 'always',
	receivedAt: 'always',
	deliveryId: 'always',
	signedWithPreviousKey: 'always',
	// Only with the "Include Request Headers" option, which the samples leave off.
	headers: 'optionOnly',
	payload: 'always',
};

const samplePath = (type: string) => join(SAMPLES_DIR, `${type}.json`);

function readSample(type: string): Record<string, unknown>[] {
	return JSON.parse(readFileSync(samplePath(type), 'utf8'));
}

/** What the trigger emits for the fixture of this type, in an n8n reproduced by LocalN8n. */
async function emittedItem(type: string): Promise<Record<string, unknown>> {
	const n8n = new LocalN8n({
		credential: { apiKey: KEYS.current, previousApiKey: '', environment: 'production' },
	});
	await n8n.start();
	try {
		const signed = vector(`${type} signed with the current key`);
		const answer = await n8n.post(signed.body, { 'x-signature': signed.signature });
		await n8n.idle();
		expect(answer.status).toBe(200);
		expect(n8n.executions).toHaveLength(1);
		return n8n.executions[0].items[0] as Record<string, unknown>;
	} finally {
		await n8n.stop();
	}
}

describe('examples/sample-items', () => {
	it.each(KNOWN_EVENT_TYPES.map((type) => [type]))(
		'%s.json is exactly what the trigger emits for that event',
		async (type) => {
			const emitted = await emittedItem(type);
			expect(Number.isNaN(Date.parse(String(emitted.receivedAt)))).toBe(false);
			const expected = [{ ...emitted, receivedAt: SAMPLE_RECEIVED_AT }];
			if (UPDATE) {
				mkdirSync(SAMPLES_DIR, { recursive: true });
				writeFileSync(samplePath(type), `${JSON.stringify(expected, null, 2)}\n`);
			}
			expect(readSample(type)).toEqual(expected);
		},
	);

	it('has one sample per known event type and nothing else', () => {
		expect(readdirSync(SAMPLES_DIR).sort()).toEqual(KNOWN_EVENT_TYPES.map((type) => `${type}.json`).sort());
	});

	it('each sample is one item with every field of SimplifiedBeginiItem that Simplify always emits', () => {
		const always = Object.entries(ITEM_FIELDS)
			.filter(([, presence]) => presence === 'always')
			.map(([field]) => field)
			.sort();
		for (const type of KNOWN_EVENT_TYPES) {
			const sample = readSample(type);
			expect(sample).toHaveLength(1);
			expect(Object.keys(sample[0]).sort()).toEqual(always);
			expect(sample[0].eventType).toBe(type);
		}
	});
});
