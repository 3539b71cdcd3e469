/**
 * Begini's rules for a session's `uid` (its help centre, "Creating a Session"): 5 to 60 characters, letters
 * and digits only, no personal data, one uid per assessment. Begini's own examples break the letters-and-digits
 * rule (`QWERT-YUIOP-ASDFGH`, `uid_123456`), so `-` and `_` pass with a warning instead of an error.
 * Messages never repeat the uid: it may be exactly the personal data the rules forbid.
 */
export const UID_MIN_LENGTH = 5;
export const UID_MAX_LENGTH = 60;

export type UidCheck = { ok: true; uid: string; warning: string | null } | { ok: false; problem: string };

const RULE = `${UID_MIN_LENGTH} to ${UID_MAX_LENGTH} letters (A–Z, a–z) and digits`;

export const HYPHEN_WARNING =
	"The uid contains '-' or '_'. Begini's rules allow letters and digits only, though its own examples use both; if Begini refuses the session (422), remove them.";

export function checkUid(value: unknown): UidCheck {
	if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return checkUid(String(value));
	if (typeof value !== 'string' || value === '') {
		return { ok: false, problem: `The uid is empty. Give each assessment its own id of ${RULE}.` };
	}
	if (value.trim() !== value) {
		return { ok: false, problem: 'The uid starts or ends with a space or line break; remove it.' };
	}
	const length = [...value].length;
	if (length < UID_MIN_LENGTH || length > UID_MAX_LENGTH) {
		return { ok: false, problem: `The uid has ${length} characters; Begini needs ${RULE}.` };
	}
	const offending = [...value].find((character) => !/^[A-Za-z0-9_-]$/.test(character));
	if (offending !== undefined) {
		const shown = /^\s$/.test(offending) ? 'a space or line break' : `"${offending}"`;
		return {
			ok: false,
			problem: `The uid contains ${shown}; Begini accepts ${RULE} only. Never put names, e-mail addresses, national IDs or birth dates in a uid.`,
		};
	}
	return { ok: true, uid: value, warning: /[-_]/.test(value) ? HYPHEN_WARNING : null };
}
