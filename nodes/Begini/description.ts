import type { INodeProperties } from 'n8n-workflow';

/** The Begini node's parameters: Session → Create, Webhook → Send Test Event. */
export const DEFAULT_SESSION_TIMEOUT_SECONDS = 30;
// The test API waits for Begini's delivery to your webhook before it answers.
export const DEFAULT_TEST_EVENT_TIMEOUT_SECONDS = 60;

export const beginiProperties: INodeProperties[] = [
	{
		displayName: 'Resource',
		name: 'resource',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Session', value: 'session' },
			{ name: 'Webhook', value: 'webhook' },
		],
		default: 'session',
	},
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['session'] } },
		options: [
			{
				name: 'Create',
				value: 'create',
				action: 'Create an assessment session',
				description: 'Create an assessment session for an applicant and get the link to send them',
			},
		],
		default: 'create',
	},
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['webhook'] } },
		options: [
			{
				name: 'Send Test Event',
				value: 'sendTestEvent',
				action: 'Send a test event to the configured webhook',
				description:
					"Ask Begini to deliver one real, signed test event to the webhook URL set for the key's environment",
			},
		],
		default: 'sendTestEvent',
	},
	{
		displayName: 'UID',
		name: 'uid',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. APP2026000123',
		displayOptions: { show: { resource: ['session'], operation: ['create'] } },
		description: 'Your own ID for this assessment: 5 to 60 letters and digits, no names, e-mail addresses, national IDs or birth dates. Use a new one for every assessment (add a prefix or suffix to re-score someone). Begini sends it back in every webhook.',
	},
	{
		displayName: 'Integration ID',
		name: 'integrationId',
		type: 'string',
		default: '',
		displayOptions: { show: { resource: ['session'], operation: ['create'] } },
		description:
			"Leave empty to use the credential's Integration ID. It must belong to the same deployment and environment as the credential's key.",
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show: { resource: ['session'], operation: ['create'] } },
		options: [
			{
				displayName: 'Timeout (Seconds)',
				name: 'timeoutSeconds',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: DEFAULT_SESSION_TIMEOUT_SECONDS,
				description: 'How long to wait for Begini to answer',
			},
		],
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show: { resource: ['webhook'], operation: ['sendTestEvent'] } },
		options: [
			{
				displayName: 'Timeout (Seconds)',
				name: 'timeoutSeconds',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: DEFAULT_TEST_EVENT_TIMEOUT_SECONDS,
				description: 'How long to wait for Begini, which answers only after its delivery to your webhook',
			},
		],
	},
];
