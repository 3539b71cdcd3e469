import type { ICredentialType, Icon, INodeProperties } from 'n8n-workflow';

/**
 * Begini signs every webhook delivery with the API key of the deployment's environment; there is no separate
 * webhook secret. The key is only used to verify signatures here, never sent anywhere.
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
	];
}
