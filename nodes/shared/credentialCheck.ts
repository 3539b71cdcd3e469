import type {
	ICredentialDataDecryptedObject,
	ICredentialsDecrypted,
	ICredentialTestFunctions,
	INodeCredentialTestResult,
} from 'n8n-workflow';

/**
 * The Begini API credential's fields, checked where it is tested and where the Begini node reads them, and
 * the credential test both nodes share.
 */

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * A base URL must be HTTPS; plain HTTP only on this machine (a local sandbox). It may hold no user name or
 * password: the node authenticates with the API key, and a URL is shown in errors and logs (the message
 * names the problem, never the URL).
 */
export function baseUrlProblem(value: unknown): string | null {
	if (typeof value !== 'string' || value.trim() === '') return 'API Base URL is empty';
	let url: URL;
	try {
		url = new URL(value.trim());
	} catch {
		return 'API Base URL is not a URL; use https://api.begini.co';
	}
	if (url.username !== '' || url.password !== '') {
		return 'API Base URL contains a user name or password (user:password@…); remove it, the API key is what authenticates';
	}
	if (url.protocol === 'https:') return null;
	if (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname)) return null;
	return 'API Base URL must start with https:// (plain http:// only for a sandbox on this machine)';
}

/** The integration ID is optional in the credential (the trigger does not need it), but never padded. */
export function integrationIdProblem(value: unknown): string | null {
	if (typeof value !== 'string' || value === '') return null;
	if (/\s/.test(value)) return 'Integration ID contains a space or line break; paste it as one word';
	return null;
}

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

/**
 * The Begini API credential's test, shared by both nodes (n8n runs the test of whichever node it finds first).
 * It runs locally and sends nothing: Begini documents no request that checks a key without side effects (its
 * test API fires a real delivery, and whether a session request with a bad body is refused for its key first
 * is not documented), and the trigger promises never to send the key anywhere.
 */
export function testBeginiCredential(data: ICredentialDataDecryptedObject | undefined): INodeCredentialTestResult {
	const values = data ?? {};
	const problem =
		apiKeyProblem('API Key', String(values.apiKey ?? ''), true) ??
		apiKeyProblem('Previous API Key', String(values.previousApiKey ?? ''), false) ??
		integrationIdProblem(values.integrationId) ??
		(values.baseUrl === undefined ? null : baseUrlProblem(values.baseUrl));
	if (problem !== null) return { status: 'Error', message: problem };
	return {
		status: 'OK',
		message:
			'The key looks right. This test does not contact Begini: use the Begini node\'s "Send Test Event" (which sends a real delivery) or create a session to confirm it.',
	};
}

/** The `methods.credentialTest` of both nodes: n8n runs whichever node's it finds first. */
export const beginiCredentialTest = {
	async beginiApiKeyCheck(
		this: ICredentialTestFunctions,
		credential: ICredentialsDecrypted,
	): Promise<INodeCredentialTestResult> {
		return testBeginiCredential(credential.data);
	},
};
