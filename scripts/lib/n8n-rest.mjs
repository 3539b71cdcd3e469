// n8n's REST API as the editor uses it (owner, login, credentials, workflows, activation, the test
// webhook), and where a workflow's webhooks are served. RestApi(Base) adds it to a class whose
// instances have baseUrl, version and logTail() (the main N8nProcess).

import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

import { n8nMajor } from './n8n-versions.mjs';
import { BEGINI_TRIGGER_TYPE, BEGINI_WEBHOOK_PATH } from './paths.mjs';
import { fmtSecs } from './processes.mjs';

/**
 * The webhook nodes of a workflow and the path n8n registers for each. For a node with a
 * webhookId and a node-defined path (our Begini Trigger: path 'webhook'), n8n registers
 * `<webhookId>/<path>`; the built-in Webhook node uses its `path` parameter.
 */
export function webhookPaths(wfJson, nodeTypes = [BEGINI_TRIGGER_TYPE, 'n8n-nodes-base.webhook']) {
	return (wfJson.nodes ?? [])
		.filter((n) => nodeTypes.includes(n.type))
		.map((n) => ({
			node: n.name,
			type: n.type,
			webhookId: n.webhookId,
			path:
				n.type === 'n8n-nodes-base.webhook' && n.parameters?.path
					? n.parameters.path
					: `${n.webhookId}/${BEGINI_WEBHOOK_PATH}`,
		}));
}

/** The production URL of a webhook path on the n8n process serving `baseUrl`. */
export function productionUrl(baseUrl, path) {
	return `${baseUrl}/webhook/${path}`;
}

/**
 * Polls until the n8n behind `url` has a webhook registered there. The probe is a CORS preflight
 * (OPTIONS with Origin and Access-Control-Request-Method): n8n answers 204 once a webhook is
 * registered for that path and method, an error (404/500) before; it runs no workflow. A webhook
 * process finds it in the database (through its cache) as soon as the main activated it.
 */
export async function waitForWebhook(url, { method = 'POST', timeoutMs = 30_000, intervalMs = 250, logTail = () => '' } = {}) {
	const deadline = Date.now() + timeoutMs;
	let last;
	for (;;) {
		try {
			const res = await fetch(url, {
				method: 'OPTIONS',
				headers: { origin: new URL(url).origin, 'access-control-request-method': method },
				signal: AbortSignal.timeout(5000),
			});
			last = `${res.status} ${(await res.text()).slice(0, 200)}`;
			if (res.status === 204 || res.status === 200) return res.status;
		} catch (e) {
			last = e.message;
		}
		if (Date.now() > deadline) {
			throw new Error(
				`Webhook ${url} not registered after ${fmtSecs(timeoutMs)} (last answer: ${last}). Last log lines:\n${logTail(40)}`,
			);
		}
		await sleep(intervalMs);
	}
}

export const RestApi = (Base) =>
	class extends Base {
		constructor(...args) {
			super(...args);
			this.browserId = randomUUID();
			this.cookie = undefined;
			this.owner = undefined;
			// where production webhook URLs point: this process, or in queue mode a webhook process
			this.webhookBaseUrl = this.baseUrl;
		}

		/** A REST call with the owner's cookie. Returns the `data` of n8n's answer. */
		async rest(method, path, body, { raw = false, expectStatus } = {}) {
			const headers = { 'browser-id': this.browserId, accept: 'application/json' };
			if (this.cookie) headers.cookie = this.cookie;
			if (body !== undefined) headers['content-type'] = 'application/json';
			const send = () =>
				fetch(`${this.baseUrl}/rest${path}`, {
					method,
					headers,
					body: body === undefined ? undefined : JSON.stringify(body),
					signal: AbortSignal.timeout(60_000),
				});
			let res;
			try {
				res = await send();
			} catch (e) {
				// A kept-alive connection n8n closed after its 5 s idle timeout while this process was
				// busy (e.g. `du` in npm start) fails with UND_ERR_SOCKET; a GET is safe to send again.
				if (method !== 'GET' || e.cause?.code !== 'UND_ERR_SOCKET') throw e;
				res = await send();
			}
			for (const c of res.headers.getSetCookie?.() ?? []) {
				const m = /^(n8n-auth)=([^;]*)/.exec(c);
				if (m) this.cookie = `${m[1]}=${m[2]}`;
			}
			const text = await res.text();
			let json;
			try {
				json = JSON.parse(text);
			} catch {
				// not JSON: the caller gets the text
			}
			const ok = expectStatus === undefined ? res.ok : [].concat(expectStatus).includes(res.status);
			if (!ok) {
				const err = new Error(`n8n REST ${method} ${path} → HTTP ${res.status}: ${text.slice(0, 1000)}`);
				err.status = res.status;
				err.body = json ?? text;
				throw err;
			}
			if (raw) return { status: res.status, json, text };
			return json && typeof json === 'object' && 'data' in json ? json.data : json;
		}

		/**
		 * Creates the instance owner (POST /rest/owner/setup) or, when one exists already,
		 * logs in with the given login. Returns { email, password, firstName, lastName }.
		 */
		async setupOwner({ email = 'owner@example.com', password = 'Begini-Demo-2026', firstName = 'Demo', lastName = 'Owner' } = {}) {
			const settings = await this.rest('GET', '/settings');
			if (settings?.userManagement?.showSetupOnFirstLoad !== false) {
				try {
					await this.rest('POST', '/owner/setup', { email, password, firstName, lastName });
					this.owner = { email, password, firstName, lastName };
					return this.owner;
				} catch (e) {
					if (e.status !== 400) throw e; // 400: already set up → log in below
				}
			}
			await this.login({ email, password });
			this.owner = { email, password, firstName, lastName };
			return this.owner;
		}

		async login({ email, password } = this.owner ?? {}) {
			await this.rest('POST', '/login', { emailOrLdapLoginId: email, password });
			return this.cookie;
		}

		/** Creates a credential; returns { id, name, type }. */
		async createCredential({ name, type, data }) {
			const c = await this.rest('POST', '/credentials', { name, type, data });
			return { id: c.id, name: c.name, type: c.type };
		}

		/** Node type names n8n has loaded (from /types/nodes.json; needs the owner's login). */
		async loadedNodeTypes() {
			const res = await fetch(`${this.baseUrl}/types/nodes.json`, {
				headers: { cookie: this.cookie ?? '', 'browser-id': this.browserId },
			});
			if (!res.ok) throw new Error(`GET /types/nodes.json → HTTP ${res.status}`);
			return [...new Set((await res.json()).map((t) => t.name))];
		}

		async listCredentials() {
			return await this.rest('GET', '/credentials');
		}

		/** Finds a credential by name and type, or creates it. Returns { id, name, type, created }. */
		async ensureCredential({ name, type, data }) {
			const existing = (await this.listCredentials()).find((c) => c.name === name && c.type === type);
			if (existing) {
				await this.rest('PATCH', `/credentials/${existing.id}`, { name, type, data });
				return { id: existing.id, name, type, created: false };
			}
			return { ...(await this.createCredential({ name, type, data })), created: true };
		}

		async getWorkflow(id) {
			try {
				return await this.rest('GET', `/workflows/${encodeURIComponent(id)}`);
			} catch (e) {
				if (e.status === 404) return undefined;
				throw e;
			}
		}

		async deleteWorkflow(id) {
			const wf = await this.getWorkflow(id);
			if (!wf) return false;
			if (wf.active || wf.activeVersionId) await this.deactivateWorkflow(id).catch(() => {});
			if (!wf.isArchived) await this.rest('POST', `/workflows/${encodeURIComponent(id)}/archive`, {});
			await this.rest('DELETE', `/workflows/${encodeURIComponent(id)}`);
			return true;
		}

		/** Publishes (activates) the current version of a workflow. */
		async activateWorkflow(id) {
			const wf = await this.rest('GET', `/workflows/${encodeURIComponent(id)}`);
			return await this.rest('POST', `/workflows/${encodeURIComponent(id)}/activate`, { versionId: wf.versionId });
		}

		async deactivateWorkflow(id) {
			return await this.rest('POST', `/workflows/${encodeURIComponent(id)}/deactivate`, {});
		}

		/**
		 * The saved workflow an earlier import of `wfJson` created, or undefined. n8n 2.x keeps
		 * the id a workflow is created with; n8n 1.x drops it (workflows.controller.js create:
		 * `delete req.body.id`) and assigns a new one, so there an earlier import is found by
		 * its exact name among the workflows that are not archived.
		 */
		async findImportedWorkflow(wfJson) {
			if (wfJson.id) {
				const byId = await this.getWorkflow(wfJson.id);
				if (byId) return byId;
			}
			if (n8nMajor(this.version) >= 2 || !wfJson.name) return undefined;
			const filter = encodeURIComponent(JSON.stringify({ name: wfJson.name }));
			const list = await this.rest('GET', `/workflows?filter=${filter}`);
			const match = (Array.isArray(list) ? list : []).find((w) => w.name === wfJson.name && !w.isArchived);
			return match ? await this.getWorkflow(match.id) : undefined;
		}

		/**
		 * Imports a workflow JSON (path or object) through the REST API and activates it.
		 * `credentials` maps a credential type to { id, name } and is written into every
		 * node that uses that type. An existing workflow with the same id (on n8n 1.x, which
		 * assigns its own ids: the same name) is replaced unless replace: false (then it is
		 * only activated). Use the returned id, not the one in the JSON.
		 * Returns { id, name, versionId, active, webhooks: [{ node, type, webhookId, path,
		 * productionUrl, testUrl }], productionWebhookUrl, testWebhookUrl }.
		 */
		async importAndActivateWorkflow(jsonPathOrObject, { credentials = {}, replace = true, activate = true, webhookNodeTypes } = {}) {
			const wfJson =
				typeof jsonPathOrObject === 'string'
					? JSON.parse(readFileSync(jsonPathOrObject, 'utf8'))
					: structuredClone(jsonPathOrObject);
			for (const node of wfJson.nodes ?? []) {
				for (const credType of Object.keys(node.credentials ?? {})) {
					if (credentials[credType]) {
						node.credentials[credType] = { id: credentials[credType].id, name: credentials[credType].name };
					}
				}
			}
			let existing = await this.findImportedWorkflow(wfJson);
			if (existing && replace) {
				await this.deleteWorkflow(existing.id);
				existing = undefined;
			}
			let wf = existing;
			if (!wf) {
				const body = {
					name: wfJson.name,
					nodes: wfJson.nodes,
					connections: wfJson.connections ?? {},
					settings: wfJson.settings ?? { executionOrder: 'v1' },
				};
				if (wfJson.id) body.id = wfJson.id;
				if (wfJson.pinData) body.pinData = wfJson.pinData;
				if (wfJson.meta) body.meta = wfJson.meta;
				// n8n 1.x saves the body as the entity; its workflow_entity.active is NOT NULL and
				// has no default there, so the field the 1.x editor sends is needed
				if (n8nMajor(this.version) < 2) body.active = false;
				wf = await this.rest('POST', '/workflows', body);
			}
			if (activate && !(wf.active || wf.activeVersionId === wf.versionId)) {
				wf = await this.activateWorkflow(wf.id);
			}
			const webhooks = this.webhookUrls(existing ?? wfJson, { nodeTypes: webhookNodeTypes });
			return {
				id: wf.id,
				name: wf.name,
				versionId: wf.versionId,
				active: Boolean(wf.active || wf.activeVersionId),
				webhooks,
				productionWebhookUrl: webhooks[0]?.productionUrl,
				testWebhookUrl: webhooks[0]?.testUrl,
			};
		}

		/**
		 * Webhook URLs of a workflow's webhook nodes: production ones where production webhooks
		 * are served (webhookBaseUrl), test ones on this (main) process, which alone serves them.
		 */
		webhookUrls(wfJson, { nodeTypes } = {}) {
			return webhookPaths(wfJson, nodeTypes).map((w) => ({
				...w,
				productionUrl: productionUrl(this.webhookBaseUrl, w.path),
				testUrl: `${this.baseUrl}/webhook-test/${w.path}`,
			}));
		}

		/** Polls until a webhook is registered at `url` (see waitForWebhook); fails with this process' log tail. */
		async waitForWebhook(url, options = {}) {
			return await waitForWebhook(url, { logTail: (n) => this.logTail(n), ...options });
		}

		/**
		 * Arms the editor's "Listen for test event" headlessly: POST /rest/workflows/<id>/run
		 * with { triggerToStartFrom: { name } } registers the node's test webhook
		 * (/webhook-test/...) for 2 minutes; the next delivery there runs the workflow in
		 * 'manual' mode from the saved (draft) version. Returns { waitingForWebhook, testUrl }.
		 */
		async armTestWebhook(workflowId, triggerNodeName) {
			const wf = await this.rest('GET', `/workflows/${encodeURIComponent(workflowId)}`);
			const r = await this.rest(
				'POST',
				`/workflows/${encodeURIComponent(workflowId)}/run`,
				this._manualRunBody(wf, { name: triggerNodeName }),
			);
			const hook = this.webhookUrls(wf, { nodeTypes: wf.nodes.map((n) => n.type) }).find((w) => w.node === triggerNodeName);
			return { ...r, testUrl: hook?.testUrl };
		}

		/**
		 * The body of POST /rest/workflows/:id/run for a full run from a known trigger.
		 * n8n 2.x loads the saved workflow itself (ManualRunDto: { triggerToStartFrom }).
		 * n8n 1.x runs the workflow the editor sends (workflows.controller.js runManually:
		 * body.workflowData, whose id must match the URL), so the saved one is sent, shaped
		 * like the 1.x editor's getWorkflowDataToSave() (no staticData, no sharing info).
		 */
		_manualRunBody(wf, triggerToStartFrom) {
			if (n8nMajor(this.version) >= 2) return { triggerToStartFrom };
			const { id, name, nodes, connections, settings, pinData, active, versionId, meta } = wf;
			return {
				workflowData: { id, name, nodes, connections, settings, pinData: pinData ?? {}, active, versionId, meta },
				triggerToStartFrom,
			};
		}
	};
