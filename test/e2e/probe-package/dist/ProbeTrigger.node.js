'use strict';
// Test-only trigger node: records in its static data and output how n8n drives a webhook trigger that
// answers the request itself (the Begini Trigger's design). Body fields: tag (copied to the items),
// mode: 'noexec' (answer 202, start nothing) | 'throw' (throw in webhook()) | anything else (answer 200 and
// start an execution with two items).
class ProbeTrigger {
	constructor() {
		this.description = {
			displayName: 'Probe Trigger', name: 'probeTrigger', group: ['trigger'], version: 1,
			description: 'probe', defaults: { name: 'Probe Trigger' }, inputs: [], outputs: ['main'],
			webhooks: [{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: 'webhook' }],
			properties: [],
		};
	}
	async webhook() {
		const sd = this.getWorkflowStaticData('node');
		const body = this.getBodyData();
		sd.webhookCalls = (sd.webhookCalls || 0) + 1;
		sd.lastWebhookWrite = body.tag;
		if (body.mode === 'noexec') {
			this.getResponseObject().status(202).json({ probe: 'noexec' });
			return { noWebhookResponse: true };
		}
		if (body.mode === 'throw') throw new Error('probe throw');
		this.getResponseObject().status(200).json({ probe: 'accepted', mode: this.getMode() });
		return { noWebhookResponse: true, workflowData: [[{ json: { tag: body.tag, first: true } }, { json: { tag: body.tag, second: true } }]] };
	}
	async execute() {
		const items = this.getInputData();
		const sd = this.getWorkflowStaticData('node');
		sd.executeCalls = (sd.executeCalls || 0) + 1;
		sd.lastExecuteItems = items.map((i) => i.json.tag);
		sd.lastExecuteMode = this.getMode();
		return [items.map((i) => ({ json: { ...i.json, executeSawItems: items.length, executeMode: this.getMode() } }))];
	}
}
module.exports = { ProbeTrigger };
