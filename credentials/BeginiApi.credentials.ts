import type {
	ICredentialDataDecryptedObject,
	ICredentialType,
	IHttpRequestOptions,
	Icon,
	INodeProperties,
} from 'n8n-workflow';

import { authenticateRequest, configuredBaseUrl, DEFAULT_BASE_URL } from '../nodes/Begini/request';

/**
 * Begini signs every webhook delivery with the API key of the deployment's environment; there is no separate
 * webhook secret. Begini Trigger only verifies signatures with the key and never sends it anywhere; the Begini
 * node sends it to the API Base URL (in the `api-key` header, or as an HMAC signature of the body), and
 * `authenticate` adds it to no request for another address.
 */
export class BeginiApi implements ICredentialType {
	name = 'beginiApi';

	displayName = 'Begini API';

	icon: Icon = {
		light: 'file:../nodes/BeginiTrigger/begini.svg',
		dark: 'file:../nodes/BeginiTrigger/begini.dark.svg',
	};

	documentationUrl = 'https://github.com/n8n-nodes-begini/n8n-nodes-begini#credentials';

	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			required: true,
			default: '',
			description:
				'The API key of the Begini deployment environment that sends the webhooks (Beacon → Deployment Centre → your deployment → Test or Production tab). Test and Production have different keys.',
		},
		{
			displayName: 'Previous API Key',
			name: 'previousApiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				'Only while rotating keys: deliveries signed with this older key are accepted too. Clear it once Begini uses the new key.',
		},
		{
			displayName: 'Environment',
			name: 'environment',
			type: 'options',
			options: [
				{ name: 'Production', value: 'production' },
				{ name: 'Test', value: 'test' },
			],
			default: 'production',
			description:
				'Which Begini environment this key belongs to. It is copied onto every item so one workflow can tell Test and Production events apart.',
		},
		{
			displayName: 'Integration ID',
			name: 'integrationId',
			type: 'string',
			default: '',
			description:
				'Only for the Begini node: the integration ID of the same deployment and environment as the key (Beacon → Deployment Centre → your deployment → Test or Production tab). Sessions are created for it unless the node names another.',
		},
		{
			displayName: 'API Base URL',
			name: 'baseUrl',
			type: 'string',
			default: DEFAULT_BASE_URL,
			description:
				"Only for the Begini node: where Begini's API is. Keep the default, unless a local Begini sandbox (http://127.0.0.1:…) or your proxy stands in for it.",
		},
		{
			displayName: 'Session Authentication',
			name: 'sessionAuthentication',
			type: 'options',
			options: [
				{ name: 'API Key Header', value: 'apiKey', description: "Sends the key in the 'api-key' header, as Begini documents" },
				{
					name: 'HMAC Signature',
					value: 'hmac',
					description:
						"Only once Begini has switched the integration to HMAC: signs the request body with the key ('X-Signature') instead of sending the key",
				},
			],
			default: 'apiKey',
			description: 'How the Begini node proves it holds the key when it creates a session',
		},
	];

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		return authenticateRequest(
			String(credentials.apiKey ?? ''),
			credentials.sessionAuthentication === 'hmac' ? 'hmac' : 'apiKey',
			requestOptions,
			configuredBaseUrl(credentials.baseUrl),
		);
	}
}
