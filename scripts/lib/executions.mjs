// Executions as the REST API gives them: listed, awaited and decoded (n8n stores run data in its
// "flatted" format) into what a test asserts on: nodes run, items per output, Switch branches, the
// trigger's items. ExecutionsApi(Base) adds it to a class with rest() and logTail() (RestApi).

import { setTimeout as sleep } from 'node:timers/promises';

import { BEGINI_TRIGGER_TYPE } from './paths.mjs';

/**
 * Parses n8n's "flatted" serialization (how execution data is stored and sent):
 * a JSON array whose first element is the root; inside objects every string is
 * an index (as a string) into the array.
 */
export function flattedParse(text) {
	const input = typeof text === 'string' ? JSON.parse(text) : text;
	if (!Array.isArray(input)) return input;
	const done = new Map();
	const resolveIdx = (idx) => {
		const v = input[idx];
		if (v === null || typeof v !== 'object') return v;
		if (done.has(idx)) return done.get(idx);
		const out = Array.isArray(v) ? [] : {};
		done.set(idx, out);
		for (const [k, val] of Object.entries(v)) {
			// defined, not assigned: a key such as "__proto__" in stored data stays a key
			Object.defineProperty(out, k, {
				value: typeof val === 'string' ? resolveIdx(Number(val)) : val,
				enumerable: true,
				writable: true,
				configurable: true,
			});
		}
		return out;
	};
	return resolveIdx(0);
}

/** Output names of a node: Switch v3 rules with renamed outputs, plus its fallback. */
function outputNames(node) {
	if (node?.type !== 'n8n-nodes-base.switch') return [];
	const rules = node.parameters?.rules?.values ?? [];
	const names = rules.map((r, i) => (r.renameOutput && r.outputKey ? r.outputKey : String(i)));
	const fb = node.parameters?.options?.fallbackOutput;
	if (fb === 'extra') names.push(node.parameters?.options?.renameFallbackOutput || 'Fallback');
	return names;
}

/**
 * An execution from GET /rest/executions/:id, with its run data decoded and summarized:
 * { id, status, mode, workflowId, startedAt, stoppedAt, error, lastNodeExecuted,
 *   nodesRun: [names in run order], runData (raw), nodes: { [name]: { type, runs,
 *   status, error, outputs: [[json...] per output] } }, branches: { [node]: { [outputName]: itemCount } },
 *   triggerNode, triggerItems: [json...] }.
 */
export function summarizeExecution(e) {
	const data = typeof e.data === 'string' ? flattedParse(e.data) : e.data;
	const workflowData = e.workflowData ?? {};
	const runData = data?.resultData?.runData ?? {};
	const byName = Object.fromEntries((workflowData.nodes ?? []).map((n) => [n.name, n]));
	const nodes = {};
	for (const [name, runs] of Object.entries(runData)) {
		const first = runs[0] ?? {};
		const main = first.data?.main ?? [];
		nodes[name] = {
			type: byName[name]?.type,
			runs: runs.length,
			status: first.executionStatus,
			error: first.error,
			startTime: first.startTime,
			outputs: main.map((out) => (out ?? []).map((item) => item.json)),
			binary: main.map((out) => (out ?? []).map((item) => item.binary).filter(Boolean)),
		};
	}
	const nodesRun = Object.entries(runData)
		.map(([name, runs]) => [name, runs[0]?.startTime ?? 0, runs[0]?.executionIndex ?? 0])
		.sort((a, b) => a[2] - b[2] || a[1] - b[1])
		.map(([name]) => name);
	const branches = {};
	for (const [name, info] of Object.entries(nodes)) {
		if (info.outputs.length < 2) continue;
		const names = outputNames(byName[name]);
		branches[name] = {};
		info.outputs.forEach((items, i) => {
			if (items.length) branches[name][names[i] ?? `output ${i}`] = items.length;
		});
	}
	const triggerNode =
		nodesRun.find((n) => byName[n]?.type === BEGINI_TRIGGER_TYPE) ??
		nodesRun.find((n) => /trigger|webhook/i.test(byName[n]?.type ?? '')) ??
		nodesRun[0];
	return {
		id: String(e.id),
		status: e.status,
		mode: e.mode,
		finished: e.finished,
		workflowId: e.workflowId,
		startedAt: e.startedAt,
		stoppedAt: e.stoppedAt,
		error: data?.resultData?.error,
		lastNodeExecuted: data?.resultData?.lastNodeExecuted,
		nodesRun,
		nodes,
		branches,
		triggerNode,
		triggerItems: triggerNode ? (nodes[triggerNode]?.outputs[0] ?? []) : [],
		runData,
		workflowData,
	};
}

const UNFINISHED = ['new', 'running', 'waiting'];

export const ExecutionsApi = (Base) =>
	class extends Base {
		/** Executions of a workflow, newest first: [{ id, status, mode, startedAt, stoppedAt, workflowId }]. */
		async listExecutions(workflowId, { limit = 100 } = {}) {
			const filter = JSON.stringify(workflowId ? { workflowId } : {});
			const r = await this.rest('GET', `/executions?filter=${encodeURIComponent(filter)}&limit=${limit}`);
			return (r.results ?? r ?? []).map((e) => ({
				id: String(e.id),
				status: e.status,
				mode: e.mode,
				startedAt: e.startedAt,
				stoppedAt: e.stoppedAt,
				workflowId: e.workflowId,
			}));
		}

		/**
		 * Polls until a workflow has at least `count` finished executions (status other
		 * than new/running/waiting). Returns them, newest first.
		 */
		async waitForExecutions(workflowId, { count = 1, timeoutMs = 30_000, intervalMs = 300 } = {}) {
			const deadline = Date.now() + timeoutMs;
			for (;;) {
				const list = await this.listExecutions(workflowId);
				const done = list.filter((e) => !UNFINISHED.includes(e.status));
				if (done.length >= count) return done;
				if (Date.now() > deadline) {
					throw new Error(
						`Expected ${count} finished execution(s) of workflow ${workflowId}, found ${done.length} (all: ${JSON.stringify(list)}). Last log lines:\n${this.logTail(40)}`,
					);
				}
				await sleep(intervalMs);
			}
		}

		/** One execution, decoded and summarized (summarizeExecution). */
		async getExecution(id) {
			return summarizeExecution(await this.rest('GET', `/executions/${encodeURIComponent(id)}`));
		}
	};
