import type { TriggerPanelDefinition } from 'n8n-workflow';

import { BEGINI_TEST_API_URL, SAMPLE_ITEMS_URL, TRY_LOCALLY_URL } from './links';

/**
 * The trigger panel's text (the input side of the node's window). n8n shows `header` as plain text,
 * `activationHint` under the "Execute step" button (n8n 2.41 labels it so for every trigger but its own Webhook), and `executionsHelp` when the user opens "When will
 * this node trigger my flow?" (or "More info"); the last two as sanitised HTML, where a link needs
 * target="_blank" to leave the editor open, and `data-key="executions"` opens the executions list.
 * `active` means the workflow is published (activated, in n8n 1.x).
 */

const link = (url: string, text: string) => `<a href="${url}" target="_blank">${text}</a>`;

/** Begini's test API fires one real, signed delivery at the URL saved for the key's environment. No body. */
const TEST_REQUEST = `curl -X POST ${BEGINI_TEST_API_URL} -H 'api-key: YOUR_TEST_API_KEY'`;

const GET_A_TEST_EVENT = [
	'<b>With a test event from Begini</b>',
	"1. Give this node a Begini API credential with your deployment's <b>Test</b> API key.",
	"2. Open <b>Webhook URLs</b> above the parameters and copy the <b>Test URL</b> into Begini's dashboard, Beacon → Deployment Centre → your deployment → <b>Test</b> tab → <b>Webservice Endpoint URL</b>.",
	'3. Click <b>Execute step</b>: n8n listens on the Test URL for 2 minutes. Meanwhile, ask Begini to send its test event (from a terminal, Postman or an HTTP Request node):',
	`<code>${TEST_REQUEST}</code>`,
	'Begini answers 200 once this node has accepted the event. A 422 carries this node\'s answer: "signature mismatch" means the credential holds the other environment\'s key.',
	'Leave <b>Events</b> empty while testing: Begini does not say which event type its test sends.',
].join('<br />');

const WITHOUT_BEGINI = `<b>Without Begini</b>, paste a ${link(SAMPLE_ITEMS_URL, 'sample item')} with <b>set mock data</b> in the output panel, or send signed sample events to a local n8n with <code>npm run send</code> (${link(TRY_LOCALLY_URL, 'see the README')}).`;

const GO_LIVE =
	"<b>To go live</b>, copy the <b>Production URL</b> into Beacon's <b>Production</b> tab, use the Production API key, and publish the workflow. Begini's events then run it; those executions appear in the executions list, not in the editor.";

const LIVE =
	'<b>This workflow is published</b>, so events Begini sends to the Production URL run it too. Those executions appear in the <a data-key="executions">executions list</a>, not in the editor. Test and Production have their own URL and key in Beacon, so testing here does not disturb them.';

const paragraphs = (...parts: string[]) => parts.join('<br /><br />');

export const triggerPanel: TriggerPanelDefinition = {
	header: 'Get a test event from Begini',
	executionsHelp: {
		inactive: paragraphs(GET_A_TEST_EVENT, WITHOUT_BEGINI, GO_LIVE),
		active: paragraphs(GET_A_TEST_EVENT, WITHOUT_BEGINI, LIVE),
	},
	activationHint: {
		inactive:
			"Put the Test URL in Beacon's Test tab, click Execute step, then call Begini's test API. Once it works, put the Production URL in the Production tab and publish the workflow.",
		active:
			'Begini events sent to the Production URL also run this workflow, but those executions do not show up here.',
	},
};
