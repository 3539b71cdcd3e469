import type {
	IDataObject,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { beginiCredentialTest } from '../shared/credentialCheck';
import { DEFAULT_RETRY_MEMORY_SIZE, DEFAULT_RETRY_WINDOW_HOURS, deliveryIdFor, ProcessDeliveries } from './dedupe';
import type { DeliveryKeyMode, DeliveryState } from './dedupe';
import { triggerProperties } from './description';
import { asReceived, eventTypeOf, deliveryPayload, redactHeaders, simplify } from './normalize';
import { seenAt, withDeliveries } from './storedMemory';
import type { RetryMemoryLimits } from './storedMemory';
import { triggerPanel } from './triggerPanel';
import type { BeginiEnvironment, DeliveryMetadata } from './types';
import { verifySignature } from './verify';
import type { SignatureAlgorithm, SignatureKeys } from './verify';

/** Shared by every Begini Trigger in this n8n process; see `ProcessDeliveries`. */
const processDeliveries = new ProcessDeliveries();

/** Where the trigger keeps accepted delivery ids in its node static data, and which write made them. */
const SEEN_DELIVERIES = 'seenDeliveries';
const SEEN_DELIVERIES_WRITTEN_BY = 'seenDeliveriesWrittenBy';

/** What a copy of a delivery that is still being stored asks Begini to wait before retrying. */
const RETRY_AFTER_SECONDS = 10;

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
function triggerScope(context: IWebhookFunctions): string {
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
type WebhookRequest = ReturnType<IWebhookFunctions['getRequestObject']>;

async function readExactBody(request: WebhookRequest): Promise<Buffer> {
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
 * Answers at once, with a short JSON body, and tells n8n not to answer again. Used for every answer that
 * starts no execution; an accepted delivery is answered by n8n itself (see `acceptDelivery`).
 */
function respond(
	context: IWebhookFunctions,
	status: number,
	body: IDataObject,
	headers: Record<string, string> = {},
): IWebhookResponseData {
	context.getResponseObject().status(status).set(headers).json(body);
	return { noWebhookResponse: true };
}

export class BeginiTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Begini Trigger',
		name: 'beginiTrigger',
		icon: { light: 'file:begini.svg', dark: 'file:begini.dark.svg' },
		group: ['trigger'],
		// Version 2 behaves exactly as 1. For every request to a start node of version 1, n8n (2.41) evaluates an
		// expression meant for its own Webhook node v1 (`options.binaryData`), which makes it start an expression
		// isolate even when told to start one only for a request that needs it; for version 2 it evaluates none.
		// Workflows saved with version 1 keep it and go on working.
		version: [1, 2],
		defaultVersion: 2,
		subtitle: '={{ ($parameter["events"] || []).length ? $parameter["events"].join(", ") : "All events" }}',
		description: 'Starts the workflow when Begini sends a verified credit-scoring or journey event',
		defaults: { name: 'Begini Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'beginiApi', required: true, testedBy: 'beginiApiKeyCheck' }],
		webhooks: [
			{
				name: 'default',
				httpMethod: 'POST',
				path: 'webhook',
				// n8n answers an accepted delivery itself, once it has stored the execution, with the
				// `webhookResponse` that `webhook()` returns: an empty `responseData` selects it (without one,
				// n8n 2.x sends the literal text "firstEntryJson").
				responseMode: 'onReceived',
				responseData: '',
			},
		],
		eventTriggerDescription: 'Waiting for Begini to send an event to the Test URL',
		activationMessage:
			'Begini events sent to the Production URL now start this workflow. If you have not yet, save that URL in Beacon → Deployment Centre → your deployment → Production tab.',
		triggerPanel,
		sensitiveOutputFields: ['headers.x-signature', 'headers.x-begini-signature'],
		properties: triggerProperties,
	};

	methods = { credentialTest: beginiCredentialTest };

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
}

/**
 * Where the delivery stands: stored before (a retry), in progress in this process, or new, in which case this
 * process has claimed it. The in-process record is asked first, so a retry it knows never touches static
 * data: even reading a node's static data for the first time creates it, and n8n then saves the request's
 * copy. The stored memory wins over a pending claim, because n8n saves it before answering the claimant.
 */
function deliveryState(
	context: IWebhookFunctions,
	scope: string,
	deliveryId: string,
	now: number,
	limits: RetryMemoryLimits,
): DeliveryState {
	const state = processDeliveries.claim(scope, deliveryId, now, limits, () => answeredWithoutStoring(context));
	if (state === 'stored') return 'stored';
	const acceptedAt = seenAt(context.getWorkflowStaticData('node')[SEEN_DELIVERIES], deliveryId, now, limits);
	if (acceptedAt !== undefined) {
		processDeliveries.markFoundStored(scope, deliveryId, acceptedAt);
		return 'stored';
	}
	return state;
}

/**
 * The delivery is stored: remember it in this process, and add it to the request's copy of the stored memory,
 * which n8n saves next. With it go the deliveries this process stored recently that the copy lacks, and from
 * time to time (a full write) every one it remembers: this restores ids that a concurrent request's save
 * overwrote (each request saves the whole copy it loaded).
 */
function rememberStored(
	context: IWebhookFunctions,
	scope: string,
	deliveryId: string,
	claimedAt: number,
	now: number,
	limits: RetryMemoryLimits,
): void {
	processDeliveries.markStored(scope, deliveryId, now);
	const staticData = context.getWorkflowStaticData('node');
	const write = processDeliveries.toWrite(scope, claimedAt, now, limits, staticData[SEEN_DELIVERIES_WRITTEN_BY]);
	// assigning marks n8n's copy as changed, so that n8n saves it
	staticData[SEEN_DELIVERIES] = withDeliveries(staticData[SEEN_DELIVERIES], write, now, limits);
	staticData[SEEN_DELIVERIES_WRITTEN_BY] = processDeliveries.writtenBy(scope);
}

/**
 * Whether n8n has answered the request with anything but 200: it could not store the execution. n8n ends
 * the response with that answer even when the sender has left, so `writableEnded` tells, though no 'finish'
 * event comes then.
 */
function answeredWithoutStoring(context: IWebhookFunctions): boolean {
	const response = context.getResponseObject();
	return response.writableEnded && response.statusCode !== 200;
}

/**
 * Forgets the claim as soon as the request is over if n8n could not store the delivery, so that Begini's
 * retry runs. If the sender left before n8n answered, the request is over first; the claim then asks
 * `answeredWithoutStoring` whenever a copy arrives (see `deliveryState`).
 */
function releaseClaimUnlessStored(context: IWebhookFunctions, scope: string, deliveryId: string): void {
	const response = context.getResponseObject();
	response.once('close', () => {
		if (answeredWithoutStoring(context)) processDeliveries.release(scope, deliveryId);
	});
}

/**
 * The result for an accepted delivery: n8n stores the execution (in queue mode: and queues it), then reads
 * `webhookResponse`, saves the request's static data and answers 200 with it; if storing fails it answers
 * 500 and saves nothing. `webhookResponse` is a getter so that the delivery is remembered at exactly that
 * moment, once stored. Remembering it earlier, in `webhook()` itself, does not last: preparing the
 * execution clears n8n's "static data changed" mark on the request's copy, so n8n 2.41 would not save it
 * (see test/e2e/n8n-behaviour.e2e.test.mjs, which checks both facts).
 */
function answerOnceStored(
	item: IDataObject,
	body: IDataObject,
	onStored?: () => void,
): IWebhookResponseData {
	let remembered = false;
	return {
		workflowData: [[{ json: item }]],
		get webhookResponse() {
			if (!remembered && onStored) onStored();
			remembered = true;
			return body;
		},
	};
}

/** Read, verify, parse, filter, deduplicate, shape, answer. */
async function acceptDelivery(context: IWebhookFunctions): Promise<IWebhookResponseData> {
	const receivedAt = new Date();
	const read: ReadParameter = (name, fallback) => context.getNodeParameter(name, fallback);
	const options = readOptions(read);
	const credential = await readCredential(context);
	const request = context.getRequestObject();
	const rawBody = await readExactBody(request);

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

	const parsed = deliveryPayload(rawBody, request);
	if (!parsed.ok) return respond(context, 400, { error: parsed.reason });
	const { payload } = parsed;

	const selectedEvents = read('events', []) as string[];
	const eventType = eventTypeOf(payload);
	if (selectedEvents.length > 0 && (eventType === null || !selectedEvents.includes(eventType))) {
		return respond(context, 200, { status: 'ignored', reason: 'event type not selected' });
	}

	const deliveryId = deliveryIdFor(rawBody, payload, options.deduplicateBy ?? 'payload');
	const answer = { status: 'accepted', deliveryId };
	// Shaped only for a delivery that starts an execution, not for every duplicate of one.
	const outputItem = (): IDataObject => {
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
		return item as unknown as IDataObject;
	};
	// Test deliveries ("Listen for test event") are never deduplicated: n8n keeps no static data for them.
	if (context.getMode() === 'manual') return answerOnceStored(outputItem(), answer);

	const now = Math.floor(receivedAt.getTime() / 1000);
	const limits = retryLimits(options);
	const scope = triggerScope(context);
	const state = deliveryState(context, scope, deliveryId, now, limits);
	if (state === 'stored') return respond(context, 200, { status: 'duplicate', deliveryId });
	if (state === 'pending') {
		// Not 200: that would end Begini's retries while the first copy may still fail to be stored.
		return respond(
			context,
			409,
			{ error: 'delivery in progress', deliveryId },
			{ 'Retry-After': String(RETRY_AFTER_SECONDS) },
		);
	}
	releaseClaimUnlessStored(context, scope, deliveryId);
	return answerOnceStored(outputItem(), answer, () =>
		rememberStored(context, scope, deliveryId, now, nowInSeconds(), limits),
	);
}
