import type { ICredentialDataDecryptedObject, INodeCredentialTestResult } from 'n8n-workflow';

import { apiKeyProblem } from '../BeginiTrigger/apiKeyCheck';
import { baseUrlProblem, integrationIdProblem } from './request';

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
