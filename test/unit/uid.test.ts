import { checkUid, HYPHEN_WARNING } from '../../nodes/Begini/actions/session/uid';

describe('checkUid (Begini: 5 to 60 letters and digits)', () => {
	it.each(['APP12', 'APP2026000123', 'a'.repeat(60), 'abcDEF0123'])('accepts %s without a warning', (uid) => {
		expect(checkUid(uid)).toEqual({ ok: true, uid, warning: null });
	});

	it('accepts a whole number, as an expression may give one', () => {
		expect(checkUid(2026000123)).toEqual({ ok: true, uid: '2026000123', warning: null });
	});

	it.each(['QWERT-YUIOP-ASDFGH', 'uid_123456'])("accepts Begini's own example %s with a warning", (uid) => {
		expect(checkUid(uid)).toEqual({ ok: true, uid, warning: HYPHEN_WARNING });
	});

	it.each([
		['empty', '', 'The uid is empty'],
		['missing', undefined, 'The uid is empty'],
		['4 characters', 'APP1', 'has 4 characters'],
		['61 characters', 'a'.repeat(61), 'has 61 characters'],
		['a leading space', ' APP2026000123', 'starts or ends with a space'],
		['an inner space', 'APP 2026000123', 'contains a space or line break'],
		['an e-mail address', 'jane@example.com', 'contains "@"'],
		['a dot', 'APP.2026', 'contains "."'],
		['a letter outside A–Z', 'APPé2026', 'contains "é"'],
		['a negative number', -12345, 'The uid is empty'],
	])('refuses %s', (_label, uid, problem) => {
		const check = checkUid(uid);
		expect(check.ok).toBe(false);
		expect(check.ok === false && check.problem).toContain(problem);
	});

	it('never repeats the uid in its message (it may be personal data)', () => {
		const check = checkUid('jane.doe@example.com');
		expect(check.ok === false && check.problem).not.toContain('jane');
	});
});
