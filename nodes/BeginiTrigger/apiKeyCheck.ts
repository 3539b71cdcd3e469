/**
 * Local checks of an API key for the credential test. Begini has no endpoint that checks a key without side
 * effects (its test API fires a real delivery), so the test catches the mistakes people make when pasting.
 * Messages name the field and the problem, never the key.
 */
export function apiKeyProblem(field: string, key: string, required: boolean): string | null {
	if (key === '') return required ? `${field} is empty` : null;
	if (key.trim() !== key) {
		return `${field} starts or ends with a space or line break; paste the key without it`;
	}
	if (/^(["'`]).*\1$/s.test(key)) return `${field} is wrapped in quotes; paste the key without them`;
	if (/\s/.test(key)) return `${field} contains a space or line break; paste the key as one word`;
	return null;
}
