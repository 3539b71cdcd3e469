import { Logger } from '@n8n/backend-common';
import { Container } from '@n8n/di';
import { ExecutionLifecycleHooks, WorkflowExecute } from 'n8n-core';
import type {
	ICredentialDataDecryptedObject,
	ICredentialsHelper,
	IDataObject,
	IHttpRequestOptions,
	INode,
	INodeParameters,
	IWorkflowExecuteAdditionalData,
} from 'n8n-workflow';
import { createRunExecutionData, Workflow } from 'n8n-workflow';

import { BeginiApi } from '../../credentials/BeginiApi.credentials';
import { Begini } from '../../nodes/Begini/Begini.node';
import { SingleNodeTypes } from './singleNodeTypes';

/**
 * Runs the Begini node once, the way n8n runs an action node: n8n-core's `WorkflowExecute` with the node on
 * the execution stack and the given input items. Requests go out through n8n-core's real HTTP helpers; the
 * credentials helper does what n8n's does for a credential whose `authenticate` is a function: it calls it.
 */
export interface NodeRun {
	items: IDataObject[];
	pairedItems: unknown[];
	/** The node's error as n8n records it, when the run failed. */
	error?: { name: string; message: string; description?: string | null; httpCode?: string | null; whole: string };
	/** Every log line n8n-core wrote. */
	logs: string[];
}

const NODE_TYPE = 'n8n-nodes-begini.begini';

export async function runBeginiNode({
	parameters,
	credential,
	items = [{}],
	continueOnFail = false,
}: {
	parameters: IDataObject;
	credential: ICredentialDataDecryptedObject;
	items?: IDataObject[];
	continueOnFail?: boolean;
}): Promise<NodeRun> {
	const logs: string[] = [];
	const record = (level: string) => (message: string, meta?: unknown) => logs.push(`${level} ${message} ${JSON.stringify(meta ?? {})}`);
	const logger = { error: record('error'), warn: record('warn'), info: record('info'), debug: record('debug') };
	Container.set(Logger, { ...logger, scoped: () => logger } as unknown as Logger);

	const node: INode = {
		id: '4b8f2c1e-0d3a-4e5f-9a6b-7c8d9e0f1a2b',
		name: 'Begini',
		type: NODE_TYPE,
		typeVersion: 1,
		position: [0, 0],
		parameters: parameters as INodeParameters,
		credentials: { beginiApi: { id: 'cred-1', name: 'Begini API account' } },
		...(continueOnFail && { onError: 'continueRegularOutput' as const }),
	};
	const workflow = new Workflow({
		id: 'wf-begini-node',
		name: 'Begini node test',
		nodes: [node],
		connections: {},
		active: false,
		nodeTypes: new SingleNodeTypes(new Begini(), NODE_TYPE),
	});
	const credentialType = new BeginiApi();
	const credentialsHelper = {
		getParentTypes: () => [],
		isCredentialUsableByNode: () => true,
		getCredentialsProperties: () => credentialType.properties,
		getDecrypted: async () => ({ ...credential }),
		preAuthentication: async () => undefined,
		authenticate: async (data: ICredentialDataDecryptedObject, _type: string, options: IHttpRequestOptions) =>
			credentialType.authenticate(data, options),
	} as unknown as ICredentialsHelper;
	const additionalData = {
		credentialsHelper,
		executionId: 'exec-1',
		restApiUrl: 'http://127.0.0.1/rest',
		instanceBaseUrl: 'http://127.0.0.1/',
		webhookBaseUrl: 'http://127.0.0.1/webhook',
		webhookTestBaseUrl: 'http://127.0.0.1/webhook-test',
		webhookWaitingBaseUrl: 'http://127.0.0.1/webhook-waiting',
		formWaitingBaseUrl: 'http://127.0.0.1/form-waiting',
		variables: {},
		currentNodeExecutionIndex: 0,
		hooks: new ExecutionLifecycleHooks('manual', 'exec-1', { id: 'wf-begini-node' } as never),
	} as unknown as IWorkflowExecuteAdditionalData;
	const runExecutionData = createRunExecutionData({
		executionData: {
			nodeExecutionStack: [{ node, data: { main: [items.map((json) => ({ json }))] }, source: null }],
		},
	});
	const run = await new WorkflowExecute(additionalData, 'manual', runExecutionData).processRunExecutionData(workflow);
	const task = run.data.resultData.runData.Begini?.[0];
	const output = task?.data?.main?.[0] ?? [];
	const error = task?.error ?? run.data.resultData.error;
	return {
		items: output.map((item) => item.json),
		pairedItems: output.map((item) => item.pairedItem),
		error: error && {
			name: error.name,
			message: error.message,
			description: (error as { description?: string | null }).description,
			httpCode: (error as { httpCode?: string | null }).httpCode,
			whole: JSON.stringify(error),
		},
		logs,
	};
}
