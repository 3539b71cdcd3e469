import { verifySignature } from '../../nodes/BeginiTrigger/verify';
import { KEYS, VECTORS, vector } from '../helpers/vectors';

const onlyCurrent = { current: KEYS.current, previous: '' };

describe('verifySignature against signatures made by Python hmac', () => {
	it.each(VECTORS.filter((v) => v.key === KEYS.current && v.algorithm === 'sha512').map((v) => [v.name, v]))(
		'accepts %s',
		(_name, v) => {
			expect(verifySignature(v.body, v.signature, onlyCurrent, 'sha512')).toEqual({
				valid: true,
				signedWith: 'current',
			});
		},
	);

	it('accepts the previous key during rotation and says so', () => {
		const v = vector('signed with the previous key');
		expect(verifySignature(v.body, v.signature, { current: KEYS.current, previous: KEYS.previous }, 'sha512')).toEqual({
			valid: true,
			signedWith: 'previous',
		});
	});

	it('refuses the previous key once it is no longer configured', () => {
		const v = vector('signed with the previous key');
		expect(verifySignature(v.body, v.signature, onlyCurrent, 'sha512')).toEqual({
			valid: false,
			reason: 'signature mismatch',
		});
	});

	it("refuses the other environment's key", () => {
		const v = vector("signed with the Test environment's key");
		expect(verifySignature(v.body, v.signature, onlyCurrent, 'sha512')).toEqual({
			valid: false,
			reason: 'signature mismatch',
		});
	});

	it('encodes the key as UTF-8', () => {
		const v = vector('signed with a non-ASCII key');
		expect(verifySignature(v.body, v.signature, { current: KEYS.unicode, previous: '' }, 'sha512').valid).toBe(true);
	});

	it('accepts upper-case hex, which encodes the same digest', () => {
		const v = vector('psychometric_score.complete signed with the current key');
		expect(verifySignature(v.body, v.signature.toUpperCase(), onlyCurrent, 'sha512').valid).toBe(true);
	});

	it('checks HMAC-SHA256 only when asked to', () => {
		const v = vector('legacy HMAC-SHA256');
		expect(verifySignature(v.body, v.signature, onlyCurrent, 'sha256')).toEqual({ valid: true, signedWith: 'current' });
		expect(verifySignature(v.body, v.signature, onlyCurrent, 'sha512')).toEqual({
			valid: false,
			reason: 'malformed signature',
		});
	});
});

describe('verifySignature failure modes', () => {
	const v = vector('psychometric_score.complete signed with the current key');

	it('fails closed without any key', () => {
		expect(verifySignature(v.body, v.signature, { current: '', previous: '' }, 'sha512')).toEqual({
			valid: false,
			reason: 'no API key configured',
		});
	});

	it.each([
		['absent', undefined],
		['empty', ''],
		['an empty list', []],
	])('reports a missing signature when the header is %s', (_label, header) => {
		expect(verifySignature(v.body, header, onlyCurrent, 'sha512')).toEqual({ valid: false, reason: 'missing signature' });
	});

	it.each([
		['one character short', v.signature.slice(1)],
		['one character long', `${v.signature}0`],
		['not hex', `${v.signature.slice(0, 127)}g`],
		['prefixed', `sha512=${v.signature}`],
		['base64 instead of hex', Buffer.from(v.signature, 'hex').toString('base64')],
		['two values joined by a comma (a repeated header)', `${v.signature}, ${v.signature}`],
		['given twice', [v.signature, v.signature]],
	])('reports a malformed signature when it is %s', (_label, header) => {
		expect(verifySignature(v.body, header, onlyCurrent, 'sha512')).toEqual({ valid: false, reason: 'malformed signature' });
	});

	it('reports a mismatch for a tampered body', () => {
		const tampered = Buffer.from(v.body.toString('utf8').replace('"score": 712', '"score": 999'));
		expect(tampered.equals(v.body)).toBe(false);
		expect(verifySignature(tampered, v.signature, onlyCurrent, 'sha512')).toEqual({
			valid: false,
			reason: 'signature mismatch',
		});
	});

	it('reports a mismatch for a re-serialised body (the bytes are what is signed)', () => {
		const reserialised = Buffer.from(JSON.stringify(JSON.parse(v.body.toString('utf8'))));
		expect(verifySignature(reserialised, v.signature, onlyCurrent, 'sha512')).toEqual({
			valid: false,
			reason: 'signature mismatch',
		});
	});

	it('reports a mismatch for a well-formed signature of another body', () => {
		const other = vector('application.complete signed with the current key');
		expect(verifySignature(v.body, other.signature, onlyCurrent, 'sha512')).toEqual({
			valid: false,
			reason: 'signature mismatch',
		});
	});

	it('does not take a key with a stray newline for the key', () => {
		expect(verifySignature(v.body, v.signature, { current: `${KEYS.current}\n`, previous: '' }, 'sha512')).toEqual({
			valid: false,
			reason: 'signature mismatch',
		});
	});
});
