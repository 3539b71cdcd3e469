import type { IDataObject } from 'n8n-workflow';

import { withLocalN8n } from '../helpers/localN8n';
import type { LocalN8n } from '../helpers/localN8n';
import { KEYS, vector } from '../helpers/vectors';

/**
 * Begini Trigger against payload keys and headers chosen to break it, through n8n-core's WebhookContext and
 * WorkflowExecute (test/helpers/localN8n.ts). Signatures are Python's (test/fixtures/signature-vectors.json).
 */

const prototypeNamed = vector('body with prototype-named keys signed with the current key');
const psychometric = vector('psychometric_score.complete signed with the current key');
const credential = { apiKey: KEYS.current, previousApiKey: '', environment: 'production' };

function withN8n(parameters: IDataObject, run: (n8n: LocalN8n) => Promise<void>) {
	return withLocalN8n({ credential, parameters }, run);
}

describe('keys that name Object.prototype members are data', () => {
	it('a signed delivery with traits keyed __proto__, constructor, hasOwnProperty, toString keeps every trait', () =>
		withN8n({}, async (n8n) => {
			const answer = await n8n.post(prototypeNamed.body, { 'x-signature': prototypeNamed.signature });
			await n8n.idle();
			expect(answer.status).toBe(200);
			const [item] = n8n.executions[0].items;
			const traits = item.traits as Record<string, unknown>;
			expect(Object.keys(traits)).toEqual(['__proto__', 'constructor', 'hasOwnProperty', 'toString']);
			expect(Object.getOwnPropertyDescriptor(traits, '__proto__')?.value).toEqual({ value: '0.1', riskBand: 'A' });
			expect(item).toMatchObject({ score: 640, riskBand: 'C' });
			// the payload as received keeps its own "__proto__" fields too, and the item serialises whole
			expect(Object.keys(item.payload as object)).toContain('__proto__');
			const stored = JSON.parse(JSON.stringify(item));
			expect(Object.keys(stored.traits)).toHaveLength(4);
			expect(stored.payload.event.details.calculated.traits).toHaveLength(4);
			expect(({} as Record<string, unknown>).polluted).toBeUndefined();
		}));

	it('with Simplify off, the payload is the parsed body, key for key', () =>
		withN8n({ simplify: false }, async (n8n) => {
			await n8n.post(prototypeNamed.body, { 'x-signature': prototypeNamed.signature });
			await n8n.idle();
			expect(JSON.stringify(n8n.executions[0].items[0].body)).toBe(prototypeNamed.body.toString('utf8'));
		}));
});

describe('Include Request Headers: credential-like headers are redacted by name', () => {
	const secrets: Record<string, string> = {
		'x-api-key': 'secret-x-api-key-1f2e',
		'proxy-authorization': 'Basic cHJveHk6c2VjcmV0',
		'x-n8n-api-key': 'secret-n8n-key-3c4d',
		'x-auth-token': 'secret-auth-token-5e6f',
		'x-client-secret': 'secret-client-7a8b',
		'x-upstream-credential': 'secret-credential-9c0d',
		'x-session-id': 'secret-session-1a2b',
	};

	it('none of their values reaches the item; other headers do', () =>
		withN8n({ options: { includeHeaders: true } }, async (n8n) => {
			await n8n.post(psychometric.body, { 'x-signature': psychometric.signature, 'x-request-id': 'r-42', ...secrets });
			await n8n.idle();
			const [item] = n8n.executions[0].items;
			const headers = item.headers as Record<string, string>;
			for (const name of Object.keys(secrets)) expect(headers[name]).toBe('[redacted]');
			expect(headers['x-signature']).toBe('[redacted]');
			expect(headers['x-request-id']).toBe('r-42');
			const whole = JSON.stringify(item);
			for (const value of [...Object.values(secrets), psychometric.signature, KEYS.current]) expect(whole).not.toContain(value);
		}));
});
