'use strict';
// Test-only trigger node: records in its static data and output how n8n drives a webhook trigger shaped
// like the Begini Trigger. Body fields: tag (written to static data in webhook(), copied to the items),
// whenAnswered (also write the tag when n8n reads `webhookResponse`, as Begini Trigger does), mode: 'noexec' (answer 202 itself, start nothing) | 'throw'
// (throw in webhook()) | anything else (let n8n answer with `webhookResponse` once it has stored the
// execution, which gets two items).
class ProbeTrigger {
	constructor() {
		this.description = {
			displayName: 'Probe Trigger', name: 'probeTrigger', group: ['trigger'], version: 1,
			description: 'probe', defaults: { name: 'Probe Trigger' }, inputs: [], outputs: ['main'],
			webhooks: [{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', responseData: '', path: 'webhook' }],
			properties: [],
		};
	}
	async webhook() {
		const sd = this.getWorkflowStaticData('node');
		const body = this.getBodyData();
		sd.webhookCalls = (sd.webhookCalls || 0) + 1;
		sd.tags = [...(sd.tags || []), body.tag];
		if (body.mode === 'noexec') {
			this.getResponseObject().status(202).json({ probe: 'noexec' });
			return { noWebhookResponse: true };
		}
		if (body.mode === 'throw') throw new Error('probe throw');
		const mode = this.getMode();
		let answered = false; // n8n reads webhookResponse twice (extractWebhookOnReceivedResponse)
		return {
			workflowData: [[{ json: { tag: body.tag, first: true } }, { json: { tag: body.tag, second: true } }]],
			get webhookResponse() {
				if (!answered && body.whenAnswered) sd.tagsWhenAnswered = [...(sd.tagsWhenAnswered || []), body.tag];
				answered = true;
				return { probe: 'accepted', mode };
			},
		};
	}
}
module.exports = { ProbeTrigger };
