import { Logger } from '@n8n/backend-common';
import { Container } from '@n8n/di';
import express from 'express';
import type { Request, Response } from 'express';
import type { Server } from 'http';
import type { AddressInfo } from 'net';
import { ExecutionLifecycleHooks, WebhookContext, WorkflowExecute } from 'n8n-core';
import type {
	ICredentialDataDecryptedObject,
	ICredentialsHelper,
	IDataObject,
	INode,
	INodeExecutionData,
	INodeParameters,
	IRun,
	IWebhookData,
	IWorkflowExecuteAdditionalData,
	WorkflowExecuteMode,
} from 'n8n-workflow';
import { createRunExecutionData, Workflow } from 'n8n-workflow';

import { BeginiTrigger } from '../../nodes/BeginiTrigger/BeginiTrigger.node';
import { SingleNodeTypes } from './singleNodeTypes';

/**
 * A loopback HTTP server that hosts Begini Trigger the way n8n's production and test webhooks do, built from
 * n8n's own parts: the real `Workflow` (with its observable static data), n8n-core's `WebhookContext` for
 * `webhook()` and `WorkflowExecute` for the execution.
 *
 * What it reproduces of n8n's CLI (packages/cli/src/webhooks/ and workflow-runner, read in n8n 2.41.1):
 * - a raw-body reader that leaves `req.rawBody` and `req.readRawBody()`, as n8n's body-parser middleware does;
 * - every request loads the workflow, and so its static data, afresh from the stored row (one JSON column);
 * - a node that answers itself (`noWebhookResponse`) or starts nothing: the request's static data is saved
 *   if it changed, right after `webhook()`;
 * - a node that returns `workflowData` for n8n to answer (`onReceived`): n8n prepares the execution, which
 *   clears the "changed" mark of the request's static data (so what `webhook()` wrote is not saved), reads
 *   static data for the execution (a worker in queue mode starts from none: `executionStaticData: 'empty'`),
 *   stores the execution (`beforeStore` can stall or fail that step), reads the node's `webhookResponse`,
 *   saves the request's static data and answers with the description's `responseCode` and that body; a
 *   failed store answers 500 and saves nothing;
 * - the execution saves its own static data when it ends, only if it changed it, and never in test
 *   ("manual") mode; a thrown `webhook()` is a 500 and a failed execution.
 * The real-n8n suites check the same behaviour against n8n itself, in both topologies.
 */

export interface LogEntry {
	level: string;
	message: string;
	meta?: unknown;
}

export interface Execution {
	mode: WorkflowExecuteMode;
	/** `running` until it ends. */
	status: IRun['status'] | 'running';
	/** The items the trigger node output in the execution. */
	items: IDataObject[];
}

export interface Answer {
	status: number;
	contentType: string | null;
	text: string;
	json: unknown;
}

export interface LocalN8nOptions {
	parameters?: IDataObject;
	credential?: ICredentialDataDecryptedObject | null;
	/** n8n reads the raw body for this node before `webhook()`; false leaves it to `req.readRawBody()`. */
	readBodyBeforeWebhook?: boolean;
	/** The stored static data column to start from. */
	staticData?: IDataObject;
	nodeName?: string;
	/** How long a stored execution takes to run and end. */
	executionLatencyMs?: number;
	/** Runs where n8n inserts the execution row: a stall delays the answer, a throw is a failed insert. */
	beforeStore?: () => Promise<void> | void;
	/** What the execution's static data starts from: the stored row (single process) or nothing (a worker). */
	executionStaticData?: 'reloaded' | 'empty';
	/** Each instance is a new workflow unless told otherwise (the in-process retry memory is per workflow). */
	workflowId?: string;
}

let workflowCount = 0;

const NODE_TYPE = 'n8n-nodes-begini.beginiTrigger';
const WEBHOOK_ID = '8f0c5a2e-4b1d-4c3e-9f6a-2d7b8e1c0a55';

class RecordingLogger {
	constructor(private readonly entries: LogEntry[]) {}
	private record(level: string) {
		return (message: string, meta?: unknown) => this.entries.push({ level, message, meta });
	}
	error = this.record('error');
	warn = this.record('warn');
	info = this.record('info');
	debug = this.record('debug');
	scoped() {
		return this;
	}
}

declare module 'http' {
	interface IncomingMessage {
		rawBody: Buffer;
		readRawBody(): Promise<void>;
	}
}

export class LocalN8n {
	readonly logs: LogEntry[] = [];
	readonly executions: Execution[] = [];
	readonly workflowId: string;
	/** The workflow row's static data column, as n8n stores it. */
	staticDataColumn: string;

	private readonly nodeType = new BeginiTrigger();
	private readonly nodeTypes = new SingleNodeTypes(this.nodeType, NODE_TYPE);
	private readonly nodeName: string;
	private server?: Server;
	private baseUrl = '';
	private readonly running = new Set<Promise<void>>();

	constructor(private readonly options: LocalN8nOptions = {}) {
		this.nodeName = options.nodeName ?? 'Begini Trigger';
		this.workflowId = options.workflowId ?? `wf-begini-${++workflowCount}`;
		this.staticDataColumn = JSON.stringify(options.staticData ?? {});
		Container.set(Logger, new RecordingLogger(this.logs) as unknown as Logger);
	}

	get productionUrl(): string {
		return `${this.baseUrl}/webhook/${WEBHOOK_ID}/webhook`;
	}

	get testUrl(): string {
		return `${this.baseUrl}/webhook-test/${WEBHOOK_ID}/webhook`;
	}

	/** The trigger's part of the stored static data. */
	get storedNodeData(): IDataObject {
		const all = JSON.parse(this.staticDataColumn) as IDataObject;
		return (all[`node:${this.nodeName}`] as IDataObject | undefined) ?? {};
	}

	async start(): Promise<void> {
		const app = express();
		app.use((req, _res, next) => {
			req.readRawBody = async () => {
				const chunks: Buffer[] = [];
				for await (const chunk of req) chunks.push(chunk as Buffer);
				req.rawBody = Buffer.concat(chunks);
			};
			next();
		});
		app.post(`/webhook/${WEBHOOK_ID}/webhook`, (req, res) => this.handle(req, res, 'webhook'));
		app.post(`/webhook-test/${WEBHOOK_ID}/webhook`, (req, res) => this.handle(req, res, 'manual'));
		await new Promise<void>((resolve) => {
			this.server = app.listen(0, '127.0.0.1', () => resolve());
		});
		this.baseUrl = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
	}

	async stop(): Promise<void> {
		await this.idle();
		const closed = new Promise<void>((resolve, reject) => this.server?.close((error) => (error ? reject(error) : resolve())));
		// every request has been answered: connections still open (keep-alive, or one whose sender left)
		// would hold close() for seconds
		this.server?.closeAllConnections();
		await closed;
	}

	/** Waits until every execution started so far has ended and saved. */
	async idle(): Promise<void> {
		while (this.running.size > 0) await Promise.all([...this.running]);
	}

	/** Sends a delivery; with `leaveAfterMs`, the sender gives up (closes the connection) that long after, as on a timeout: status 0. */
	async post(
		body: Buffer | string,
		headers: Record<string, string> = {},
		url: string = this.productionUrl,
		{ leaveAfterMs }: { leaveAfterMs?: number } = {},
	): Promise<Answer> {
		let response;
		try {
			response = await fetch(url, {
				method: 'POST',
				headers: { 'content-type': 'application/json', ...headers },
				body: typeof body === 'string' ? body : new Uint8Array(body),
				signal: leaveAfterMs === undefined ? undefined : AbortSignal.timeout(leaveAfterMs),
			});
		} catch (error) {
			if (leaveAfterMs === undefined) throw error;
			return { status: 0, contentType: null, text: '', json: undefined };
		}
		const text = await response.text();
		let json: unknown = undefined;
		try {
			json = JSON.parse(text);
		} catch {
			json = undefined;
		}
		return { status: response.status, contentType: response.headers.get('content-type'), text, json };
	}

	/** Test webhooks start from empty static data and never save it. */
	private loadWorkflow(mode: WorkflowExecuteMode, staticData: IDataObject): Workflow {
		const node: INode = {
			id: 'c3d9a1f0-0b5e-4f57-8a43-6a1d2b3c4d5e',
			name: this.nodeName,
			type: NODE_TYPE,
			typeVersion: 2,
			position: [0, 0],
			webhookId: WEBHOOK_ID,
			parameters: structuredClone(this.options.parameters ?? {}) as INodeParameters,
			credentials: { beginiApi: { id: 'cred-1', name: 'Begini API account' } },
		};
		return new Workflow({
			id: this.workflowId,
			name: 'Begini risk routing',
			nodes: [node],
			connections: {},
			active: mode !== 'manual',
			nodeTypes: this.nodeTypes,
			staticData,
		});
	}

	private additionalData(extra: Partial<IWorkflowExecuteAdditionalData>): IWorkflowExecuteAdditionalData {
		const credential = this.options.credential;
		const credentialsHelper = {
			getParentTypes: () => [],
			isCredentialUsableByNode: () => true,
			getCredentialsProperties: () => [],
			getDecrypted: async () => {
				if (credential === null) throw new Error('Credential with ID "cred-1" does not exist for type "beginiApi".');
				return { ...(credential ?? {}) };
			},
		} as unknown as ICredentialsHelper;
		return {
			credentialsHelper,
			executionId: undefined,
			restApiUrl: 'http://127.0.0.1/rest',
			instanceBaseUrl: 'http://127.0.0.1/',
			webhookBaseUrl: `${this.baseUrl}/webhook`,
			webhookTestBaseUrl: `${this.baseUrl}/webhook-test`,
			webhookWaitingBaseUrl: `${this.baseUrl}/webhook-waiting`,
			formWaitingBaseUrl: `${this.baseUrl}/form-waiting`,
			variables: {},
			currentNodeExecutionIndex: 0,
			...extra,
		} as unknown as IWorkflowExecuteAdditionalData;
	}

	private async handle(req: Request, res: Response, mode: WorkflowExecuteMode): Promise<void> {
		if (this.options.readBodyBeforeWebhook !== false) await req.readRawBody();
		// n8n keeps the loaded row's static data object and hands the same object to the execution it prepares.
		const loadedStaticData = mode === 'manual' ? {} : (JSON.parse(this.staticDataColumn) as IDataObject);
		const workflow = this.loadWorkflow(mode, loadedStaticData);
		const node = workflow.getNode(this.nodeName)!;
		const webhookDescription = this.nodeType.description.webhooks![0];
		const webhookData = {
			httpMethod: 'POST',
			node: this.nodeName,
			path: `${WEBHOOK_ID}/webhook`,
			webhookDescription,
			workflowId: this.workflowId,
			isTest: mode === 'manual',
		} as unknown as IWebhookData;
		const context = new WebhookContext(
			workflow,
			node,
			this.additionalData({ httpRequest: req, httpResponse: res }),
			mode,
			webhookData,
			[],
			null,
		);

		let result;
		try {
			result = await this.nodeType.webhook!.call(context);
		} catch {
			res.status(500).json({ code: 0, message: 'Workflow Webhook Error: Workflow could not be started!' });
			this.executions.push({ mode, status: 'error', items: [] });
			return;
		}

		const saveRequestStaticData = () => {
			if (mode !== 'manual' && workflow.staticData.__dataChanged === true) {
				this.staticDataColumn = JSON.stringify(workflow.staticData);
			}
		};
		if (result.noWebhookResponse === true || result.workflowData === undefined) {
			saveRequestStaticData();
			if (result.noWebhookResponse !== true) {
				res.status(200).json(result.webhookResponse ?? { message: 'Webhook call received' });
			}
			if (result.workflowData !== undefined) this.startExecution(result.workflowData, mode);
			return;
		}

		// n8n's deferred "onReceived" answer: prepare and store the execution first, answer after. Preparing
		// builds another Workflow on the same static data object, which clears its "changed" mark
		// (WorkflowRunner.establishContextForPersistence in 2.41.1): what webhook() wrote is not saved.
		this.loadWorkflow(mode, loadedStaticData);
		try {
			await this.options.beforeStore?.();
		} catch {
			res.status(500).json({ code: 0, message: 'There was a problem executing the workflow' });
			return;
		}
		this.startExecution(result.workflowData, mode);
		const responseData = webhookDescription.responseData ?? 'firstEntryJson';
		const body = responseData === 'noData' ? undefined : responseData || result.webhookResponse;
		saveRequestStaticData();
		res.status(Number(webhookDescription.responseCode ?? 200));
		if (typeof body === 'string') res.send(body);
		else res.json(body);
	}

	/** Records the stored execution at once, as n8n's row, and runs it in the background. */
	private startExecution(workflowData: INodeExecutionData[][], mode: WorkflowExecuteMode): void {
		const execution: Execution = { mode, status: 'running', items: [] };
		this.executions.push(execution);
		const staticData =
			mode === 'manual' || this.options.executionStaticData === 'empty'
				? {}
				: (JSON.parse(this.staticDataColumn) as IDataObject);
		const run = this.runExecution(execution, workflowData, mode, staticData);
		this.running.add(run);
		void run.finally(() => this.running.delete(run));
	}

	private async runExecution(
		execution: Execution,
		workflowData: INodeExecutionData[][],
		mode: WorkflowExecuteMode,
		staticData: IDataObject,
	): Promise<void> {
		await new Promise((resolve) => setTimeout(resolve, this.options.executionLatencyMs ?? 30));
		const workflow = this.loadWorkflow(mode, staticData);
		const node = workflow.getNode(this.nodeName)!;
		const hooks = new ExecutionLifecycleHooks(mode, `exec-${this.executions.length}`, {
			id: this.workflowId,
		} as never);
		hooks.addHandler('workflowExecuteAfter', async (_run: IRun, newStaticData?: IDataObject) => {
			if (mode !== 'manual' && newStaticData) this.staticDataColumn = JSON.stringify(newStaticData);
		});
		const runExecutionData = createRunExecutionData({
			executionData: { nodeExecutionStack: [{ node, data: { main: workflowData }, source: null }] },
		});
		const run = await new WorkflowExecute(this.additionalData({ hooks }), mode, runExecutionData).processRunExecutionData(
			workflow,
		);
		const output = run.data.resultData.runData[this.nodeName]?.[0]?.data?.main?.[0] ?? [];
		execution.status = run.status;
		execution.items = output.map((item) => item.json);
	}
}

/** Runs `run` against a started LocalN8n, and stops it afterwards whatever happens. */
export async function withLocalN8n(options: LocalN8nOptions, run: (n8n: LocalN8n) => Promise<void>): Promise<void> {
	const n8n = new LocalN8n(options);
	await n8n.start();
	try {
		await run(n8n);
	} finally {
		await n8n.stop();
	}
}
