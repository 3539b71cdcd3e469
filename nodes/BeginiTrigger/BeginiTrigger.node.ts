import type {
	ICredentialsDecrypted,
	ICredentialTestFunctions,
	IDataObject,
	IExecuteFunctions,
	INodeCredentialTestResult,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { apiKeyProblem } from './apiKeyCheck';
import {
	DEFAULT_RETRY_MEMORY_SIZE,
	DEFAULT_RETRY_WINDOW_HOURS,
	deliveryIdFor,
	readSeenDeliveries,
	rememberDeliveries,
	RecentDeliveries,
	wasSeen,
} from './dedupe';
import type { DeliveryKeyMode, RetryMemoryLimits } from './dedupe';
import { triggerProperties } from './description';
import { asReceived, eventTypeOf, parsePayload, redactHeaders, simplify } from './normalize';
import type { BeginiEnvironment, DeliveryMetadata } from './types';
import { verifySignature } from './verify';
import type { SignatureAlgorithm, SignatureKeys } from './verify';

/** Shared by every Begini Trigger in this n8n process; see `RecentDeliveries`. */
const recentDeliveries = new RecentDeliveries();

/** Where the trigger keeps accepted delivery ids in its node static data. */
const SEEN_DELIVERIES = 'seenDeliveries';

interface TriggerOptions {
	acceptLegacySignatureHeader?: boolean;
	deduplicateBy?: DeliveryKeyMode;
	includeHeaders?: boolean;
	retryMemorySize?: number;
	retryWindowHours?: number;
	signatureAlgorithm?: SignatureAlgorithm;
}

interface BeginiCredential {
	keys: SignatureKeys;
	environment: BeginiEnvironment;
}

type ReadParameter = (name: string, fallback: unknown) => unknown;

function retryLimits(options: TriggerOptions): RetryMemoryLimits {
	const hours = Number(options.retryWindowHours);
	const entries = Number(options.retryMemorySize);
	return {
		maxAgeSeconds: Math.round((Number.isFinite(hours) && hours > 0 ? hours : DEFAULT_RETRY_WINDOW_HOURS) * 3600),
		maxEntries: Math.floor(Number.isFinite(entries) && entries >= 1 ? entries : DEFAULT_RETRY_MEMORY_SIZE),
	};
}

function readOptions(read: ReadParameter): TriggerOptions {
	return (read('options', {}) ?? {}) as TriggerOptions;
}

/** The in-process record is kept per trigger: one node of one workflow. */
function triggerScope(context: IWebhookFunctions | IExecuteFunctions): string {
	const node = context.getNode();
	return `${context.getWorkflow().id ?? ''}/${node.id ?? node.name}`;
}

function nowInSeconds(): number {
	return Math.floor(Date.now() / 1000);
}

/** A missing or unreadable credential verifies nothing: the caller then fails closed. */
async function readCredential(context: IWebhookFunctions): Promise<BeginiCredential> {
	let data: IDataObject = {};
	try {
		data = await context.getCredentials('beginiApi');
	} catch (error) {
		context.logger.warn('Begini Trigger: the Begini API credential could not be loaded', {
			error: (error as Error).name,
		});
	}
	const asText = (value: unknown) => (typeof value === 'string' ? value : '');
	return {
		keys: { current: asText(data.apiKey), previous: asText(data.previousApiKey) },
		environment: data.environment === 'test' ? 'test' : 'production',
	};
}

/**
 * The exact body bytes. n8n reads them for this node before `webhook()` runs; `readRawBody()` covers the
 * cases it does not. A multipart body was consumed by n8n's form parser and cannot be read again.
 */
async function readExactBody(context: IWebhookFunctions): Promise<Buffer> {
	const request = context.getRequestObject();
	const isMultipart = String(request.headers['content-type'] ?? '').startsWith('multipart/');
	if (request.rawBody === undefined && !isMultipart && typeof request.readRawBody === 'function') {
		await request.readRawBody();
	}
	const raw: unknown = request.rawBody;
	if (Buffer.isBuffer(raw)) return raw;
	return Buffer.from(typeof raw === 'string' ? raw : '', 'utf8');
}

function signatureHeader(context: IWebhookFunctions, options: TriggerOptions): string | string[] | undefined {
	const headers = context.getHeaderData() as Record<string, string | string[] | undefined>;
	const header = headers['x-signature'];
	if (header === undefined && options.acceptLegacySignatureHeader === true) {
		return headers['x-begini-signature'];
	}
	return header;
}

/**
 * Writes the answer and tells n8n not to answer again. Every answer is written here so that each one has a
 * short JSON body: Begini counts only HTTP 200 as delivered, and n8n's default acknowledgement for a trigger
 * is not a JSON body.
 */
function respond(
	context: IWebhookFunctions,
	status: number,
	body: IDataObject,
	workflowData?: INodeExecutionData[][],
): IWebhookResponseData {
	context.getResponseObject().status(status).json(body);
	return workflowData ? { noWebhookResponse: true, workflowData } : { noWebhookResponse: true };
}

export class BeginiTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Begini Trigger',
		name: 'beginiTrigger',
		icon: { light: 'file:begini.svg', dark: 'file:begini.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{ ($parameter["events"] || []).length ? $parameter["events"].join(", ") : "All events" }}',
		description: 'Starts the workflow when Begini sends a verified credit-scoring or journey event',
		defaults: { name: 'Begini Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'beginiApi', required: true, testedBy: 'beginiApiKeyCheck' }],
		webhooks: [{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: 'webhook' }],
		eventTriggerDescription: 'Waiting for Begini to send an event to the Test URL',
		activationMessage:
			'Begini events sent to the Production URL now start this workflow. Paste that URL into Begini Deployment Centre if you have not yet.',
		sensitiveOutputFields: ['headers.x-signature', 'headers.x-begini-signature'],
		properties: triggerProperties,
	};

	methods = {
		credentialTest: {
			async beginiApiKeyCheck(
				this: ICredentialTestFunctions,
				credential: ICredentialsDecrypted,
			): Promise<INodeCredentialTestResult> {
				const data = credential.data ?? {};
				const problem =
					apiKeyProblem('API Key', String(data.apiKey ?? ''), true) ??
					apiKeyProblem('Previous API Key', String(data.previousApiKey ?? ''), false);
				if (problem !== null) return { status: 'Error', message: problem };
				return {
					status: 'OK',
					message:
						'The key looks right. Begini has no way to check a key without sending a real delivery: send a test event from Begini to confirm.',
				};
			},
		},
	};

	// Begini has no API to register webhook URLs: the user pastes the URL into Begini. Nothing to do here.
	webhookMethods = {
		default: {
			async checkExists(this: unknown): Promise<boolean> {
				return true;
			},
			async create(this: unknown): Promise<boolean> {
				return true;
			},
			async delete(this: unknown): Promise<boolean> {
				return true;
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		try {
			return await acceptDelivery(this);
		} catch (error) {
			// A throw here would make n8n answer 500, record a failed execution and fire error workflows.
			// Answering 500 ourselves lets Begini retry later and keeps the execution list clean.
			this.logger.error('Begini Trigger: could not process a delivery', { error: (error as Error).name });
			return respond(this, 500, { error: 'internal error' });
		}
	}

	/**
	 * n8n runs this as the execution's first step, with the items `webhook()` returned. Static data written
	 * here is saved when a production execution ends; what `webhook()` writes for a delivery that starts an
	 * execution races with that save and may be lost, so the retry memory is persisted here.
	 */
	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		// Test executions never save static data, and a test delivery must not block the real one later.
		if (this.getMode() === 'manual') return [items];

		const limits = retryLimits(readOptions((name, fallback) => this.getNodeParameter(name, 0, fallback)));
		const now = nowInSeconds();
		const staticData = this.getWorkflowStaticData('node');
		// The items' own ids: in queue mode this runs on a worker, whose in-process record is empty.
		const accepted: Array<[string, number]> = items
			.map((item) => item.json.deliveryId)
			.filter((id): id is string => typeof id === 'string')
			.map((id) => [id, now]);
		// Everything this process accepted is written too, which restores ids that a concurrent execution's
		// save overwrote (each execution saves the whole static data it loaded).
		accepted.push(...recentDeliveries.entries(triggerScope(this), now, limits));
		staticData[SEEN_DELIVERIES] = rememberDeliveries(
			readSeenDeliveries(staticData[SEEN_DELIVERIES]),
			accepted,
			now,
			limits,
		);
		return [items];
	}
}

/**
 * Whether the delivery was accepted before; if not, this n8n instance claims it. The in-process record is
 * asked first so that a retry it knows never touches static data: n8n saves static data after a request
 * that starts nothing, and even reading a node's static data for the first time creates (and so saves) it.
 */
function isRetry(context: IWebhookFunctions, deliveryId: string, now: number, limits: RetryMemoryLimits): boolean {
	if (!recentDeliveries.claim(triggerScope(context), deliveryId, now, limits)) return true;
	return wasSeen(context.getWorkflowStaticData('node')[SEEN_DELIVERIES], deliveryId, now, limits);
}

/** Read, verify, parse, filter, deduplicate, shape, answer. */
async function acceptDelivery(context: IWebhookFunctions): Promise<IWebhookResponseData> {
	const receivedAt = new Date();
	const read: ReadParameter = (name, fallback) => context.getNodeParameter(name, fallback);
	const options = readOptions(read);
	const credential = await readCredential(context);
	const rawBody = await readExactBody(context);

	const signature = verifySignature(
		rawBody,
		signatureHeader(context, options),
		credential.keys,
		options.signatureAlgorithm ?? 'sha512',
	);
	if (!signature.valid) {
		context.logger.warn(`Begini Trigger: refused a delivery (${signature.reason})`, {
			workflowId: context.getWorkflow().id,
			node: context.getNode().name,
		});
		return respond(context, 401, { error: signature.reason });
	}

	const parsed = parsePayload(rawBody);
	if (!parsed.ok) return respond(context, 400, { error: parsed.reason });
	const { payload } = parsed;

	const selectedEvents = read('events', []) as string[];
	const eventType = eventTypeOf(payload);
	if (selectedEvents.length > 0 && (eventType === null || !selectedEvents.includes(eventType))) {
		return respond(context, 200, { status: 'ignored', reason: 'event type not selected' });
	}

	const deliveryId = deliveryIdFor(rawBody, payload, options.deduplicateBy ?? 'payload');
	// Test deliveries ("Listen for test event") are never deduplicated: n8n keeps no static data for them.
	const receivedAtSeconds = Math.floor(receivedAt.getTime() / 1000);
	if (context.getMode() !== 'manual' && isRetry(context, deliveryId, receivedAtSeconds, retryLimits(options))) {
		return respond(context, 200, { status: 'duplicate', deliveryId });
	}

	const metadata: DeliveryMetadata = {
		deliveryId,
		receivedAt: receivedAt.toISOString(),
		environment: credential.environment,
		signedWithPreviousKey: signature.signedWith === 'previous',
		...(options.includeHeaders === true && {
			headers: redactHeaders(context.getHeaderData() as Record<string, string | string[] | undefined>),
		}),
	};
	const item = read('simplify', true) === false ? asReceived(payload, metadata) : simplify(payload, metadata);
	return respond(context, 200, { status: 'accepted', deliveryId }, [[{ json: item as unknown as IDataObject }]]);
}
