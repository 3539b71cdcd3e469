import type { INodeProperties } from 'n8n-workflow';

import { DEFAULT_RETRY_MEMORY_SIZE, DEFAULT_RETRY_WINDOW_HOURS } from './dedupe';
import { KNOWN_EVENT_TYPES } from './types';
import type { KnownEventType } from './types';

const EVENT_LABELS: Record<KnownEventType, string> = {
	'psychometric_score.complete': 'Psychometric Score Complete',
	'android_score.complete': 'Android Score Complete',
	'ios_score.complete': 'iOS Score Complete',
	'application.complete': 'Application Complete',
	'application.expired': 'Application Expired',
	'application.incomplete': 'Application Incomplete',
	'application.cancelled': 'Application Cancelled',
};

const EVENT_DESCRIPTIONS: Record<KnownEventType, string> = {
	'psychometric_score.complete': 'A psychometric score is ready: the main decisioning event',
	'android_score.complete': 'A score from the Android device-data SDK is ready',
	'ios_score.complete': 'A score from the iOS device-data SDK is ready',
	'application.complete': 'The applicant finished the journey (no score yet)',
	'application.expired': 'The session time limit passed',
	'application.incomplete': 'The applicant did not finish; carries reasons',
	'application.cancelled': 'The applicant withdrew, e.g. rejected the privacy policy; carries reasons',
};

/** The nodes panel lists one "On …" entry per event; n8n's own wording would read "On i os score complete". */
const EVENT_ACTIONS: Record<KnownEventType, string> = {
	'psychometric_score.complete': 'On psychometric score complete',
	'android_score.complete': 'On Android score complete',
	'ios_score.complete': 'On iOS score complete',
	'application.complete': 'On application complete',
	'application.expired': 'On application expired',
	'application.incomplete': 'On application incomplete',
	'application.cancelled': 'On application cancelled',
};

export const triggerProperties: INodeProperties[] = [
	{
		displayName:
			"Begini sends events to the URL saved in its dashboard, Beacon → Deployment Centre → your deployment → Test or Production tab → Webservice Endpoint URL. Save the Test URL above in the Test tab to try this node, and the Production URL in the Production tab when you publish. Use the API key of the same tab in the credential.",
		name: 'setupNotice',
		type: 'notice',
		default: '',
	},
	{
		displayName: 'Events',
		name: 'events',
		type: 'multiOptions',
		options: [...KNOWN_EVENT_TYPES]
			.sort((a, b) => EVENT_LABELS[a].localeCompare(EVENT_LABELS[b]))
			.map((type) => ({
				name: EVENT_LABELS[type],
				value: type,
				description: EVENT_DESCRIPTIONS[type],
				action: EVENT_ACTIONS[type],
			})),
		default: [],
		// n8n shows "Select" in an empty multi-select whatever its placeholder: the hint says what empty means.
		hint: 'Leave empty for every event, including types Begini adds later',
		description:
			'Which events start the workflow. Begini gets a 200 for the others, which start nothing.',
	},
	{
		displayName: 'Simplify',
		name: 'simplify',
		type: 'boolean',
		default: true,
		description:
			'Whether to return flat fields (eventType, riskBand, score, …) for Switch and IF nodes instead of the payload as received',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [
			{
				displayName: 'Also Accept X-Begini-Signature Header',
				name: 'acceptLegacySignatureHeader',
				type: 'boolean',
				default: false,
				description:
					'Whether to read the signature from X-Begini-Signature when X-Signature is absent. One older Begini documentation page names the header that way.',
			},
			{
				displayName: 'Deduplicate By',
				name: 'deduplicateBy',
				type: 'options',
				options: [
					{
						name: 'Exact Payload',
						value: 'payload',
						description: 'A delivery with the same body as an earlier one is a retry. Right for Begini, which resends the same body.',
					},
					{
						name: 'Event Identity',
						value: 'eventIdentity',
						description:
							'Same deployment, applicant, event type and score time is a retry, even if a proxy reformatted the body on the way',
					},
				],
				default: 'payload',
				description: 'How a retried delivery is recognised (Begini sends no delivery ID)',
			},
			{
				displayName: 'Include Request Headers',
				name: 'includeHeaders',
				type: 'boolean',
				default: false,
				description:
					'Whether to add the request headers to each item. Any header whose name looks like a credential (auth, token, secret, key, password, signature, cookie, session, …) or whose value starts with an authentication scheme (Bearer, Basic, …) is replaced by [redacted].',
			},
			{
				displayName: 'Retry Memory (Deliveries)',
				name: 'retryMemorySize',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 100000 },
				default: DEFAULT_RETRY_MEMORY_SIZE,
				description:
					'How many recent deliveries are remembered to refuse retries: at least your busiest minute × 15 (Begini retries for several minutes). The memory is saved with the workflow on every event (24 bytes each), so keep it modest.',
			},
			{
				displayName: 'Retry Window (Hours)',
				name: 'retryWindowHours',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 720 },
				default: DEFAULT_RETRY_WINDOW_HOURS,
				description: 'How long a delivery is remembered. A copy arriving later starts the workflow again.',
			},
			{
				displayName: 'Signature Algorithm',
				name: 'signatureAlgorithm',
				type: 'options',
				options: [
					{
						name: 'HMAC-SHA512 (Begini Default)',
						value: 'sha512',
						description: 'What Begini documents and sends',
					},
					{
						name: 'HMAC-SHA256 (Legacy)',
						value: 'sha256',
						description:
							'Only if your Begini deployment signs with SHA-256, as one older documentation sample does',
					},
				],
				default: 'sha512',
				description:
					'Keep SHA-512 unless deliveries that you know are genuine are refused with "malformed signature"',
			},
		],
	},
];
