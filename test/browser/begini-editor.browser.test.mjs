// The package as a new user meets it in n8n's editor: Debian's Chromium, driven by playwright-core, against a
// real n8n (pinned version) with the packed package installed as a community package. The steps run in
// order on one page, like a person would: sign in, find and add Begini Trigger, create the credential, read
// the URLs, events, options and help, listen for a test event and send a signed delivery, open the example
// workflow. Expected texts come from the built package (dist/), so the suite follows the node's strings.
// It saves the README's pictures to docs/images/ as it goes, and fails on any browser error n8n does not
// always print itself (support.mjs lists those).
//
// Run: npm run build && npm run test:browser   (about 2 minutes; the first run installs n8n, see test/e2e)
// Without Chromium at /usr/bin/chromium every test is reported as skipped, with the reason on stderr.

import { rmSync } from 'node:fs';
import { join } from 'node:path';

import { ROOT, packPackage } from '../../scripts/lib/n8n-harness.mjs';
import { sendDelivery } from '../../scripts/lib/begini-sender.mjs';
import { startN8nWithPackage, stopN8n, withN8nLog } from '../e2e/support.mjs';
import {
	FAILURE_DIR,
	areaAround,
	PageErrorGuard,
	browserSkipReason,
	builtPackage,
	openBrowser,
	saveFailureScreenshot,
	saveScreenshot,
	signedDelivery,
	squeeze,
	visibleLines,
} from './support.mjs';

const EXAMPLE = join(ROOT, 'examples', 'begini-risk-routing.json');
// A delivery of the main decisioning event and the (demo) key it is signed with; see support.mjs.
const DELIVERY = signedDelivery('psychometric_score.complete signed with the current key');
const GOOD_KEY = DELIVERY.key;
// The paste mistake the key check exists for: the key with the quotes around it.
const BAD_KEY = `"${GOOD_KEY}"`;
const SECRETS = [GOOD_KEY];

const skipReason = browserSkipReason();
const browserTest = skipReason ? test.skip : test;
if (skipReason) process.stderr.write(`\nSKIPPED: the browser suite did not run: ${skipReason}\n\n`);

const built = skipReason ? undefined : builtPackage();
const property = (name) => built.trigger.properties.find((p) => p.name === name);

let started;
let n8n;
let browser;
let page;
let guard;
let testUrl;
// what n8n shows in the row of the empty Events field (label, field and hint)
let emptyEventsRow;

/**
 * One step of the walk-through. Steps build on each other: after a failed one, the later ones only say
 * so (unless `needsEarlierSteps` is false). On failure, the message gets the tail of n8n's log and a
 * picture of the page is left in .cache/browser-failures/; after the step, no unexpected browser error
 * may have happened.
 */
let failedStep;
function step(name, body, { needsEarlierSteps = true, timeout = 60_000 } = {}) {
	browserTest(
		name,
		async () => {
			if (needsEarlierSteps && failedStep) throw new Error(`not run: the earlier step "${failedStep}" failed`);
			try {
				await withN8nLog(n8n, body);
			} catch (e) {
				failedStep ??= name;
				const picture = await saveFailureScreenshot(page, name);
				if (picture) e.message += `\n(picture of the page: ${picture})`;
				throw e;
			}
			expect(guard.take()).toEqual([]);
		},
		timeout,
	);
}

const ndv = () => page.getByTestId('ndv');
const parameters = () => page.getByTestId('node-parameters');
/**
 * The parameter row of a property, found by its label (`for` is the property's name). Options sit in the
 * row of their collection, so the innermost (last) row with the label is the property's own.
 */
const parameterRow = (name) =>
	parameters().getByTestId('parameter-item').filter({ has: page.locator(`label[for="${name}"]`) }).last();

/** Hovers a parameter's help icon and waits for n8n's tooltip to show `expected` (a description). */
async function expectTooltip(name, expected) {
	const row = parameterRow(name);
	await row.locator(`label[for="${name}"]`).hover();
	await row.locator('[data-icon="circle-help"]').first().hover();
	const tooltips = page.getByTestId('tooltip-content').filter({ visible: true });
	try {
		await tooltips.filter({ hasText: squeeze(expected) }).first().waitFor({ timeout: 5000 });
	} catch {
		const shown = (await tooltips.allInnerTexts()).map(squeeze);
		throw new Error(`hovering the help of "${name}" shows ${JSON.stringify(shown)}, not ${JSON.stringify(squeeze(expected))}`);
	}
	await page.mouse.move(0, 0);
}

/** Waits until an element stops moving (the canvas animates zooming). */
async function untilStill(locator) {
	let last;
	for (let i = 0; i < 50; i++) {
		const box = JSON.stringify(await locator.boundingBox());
		if (box === last) return;
		last = box;
		await page.waitForTimeout(100);
	}
	throw new Error('the canvas kept moving for 5 seconds');
}

/** The visible options of the open select: [{ name, description }]. */
async function openSelectOptions() {
	const items = page.locator('.el-select-dropdown__item').filter({ visible: true });
	await items.first().waitFor();
	return await items.evaluateAll((elements) =>
		elements.map((element) => {
			const [name = '', description = ''] = element.innerText.split('\n').map((line) => line.trim());
			return { name, description };
		}),
	);
}

beforeAll(async () => {
	if (skipReason) return;
	rmSync(FAILURE_DIR, { recursive: true, force: true });
	const tarball = process.env.E2E_TARBALL ?? (await packPackage());
	started = await startN8nWithPackage(tarball, 'browser', { topology: 'single' });
	n8n = started.n8n;
	({ browser, page } = await openBrowser(n8n.baseUrl));
	guard = new PageErrorGuard(page);
}, 30 * 60_000);

afterAll(async () => {
	await browser?.close();
	await stopN8n(started);
}, 60_000);

step('signs in to the editor', async () => {
	await page.goto('/signin');
	await page.getByTestId('emailOrLdapLoginId').locator('input').fill(n8n.owner.email);
	await page.getByTestId('password').locator('input').fill(n8n.owner.password);
	await page.getByTestId('form-submit-button').click();
	await page.waitForURL(/\/(home|workflows)/);
});

step('finds Begini Trigger by searching "Begini" in the nodes panel and adds it to a new workflow', async () => {
	await page.goto('/workflow/new');
	await page.getByTestId('canvas-add-button').getByRole('button').first().click();
	const creator = page.getByTestId('node-creator');
	await page.getByTestId('node-creator-search-bar').fill('Begini');
	// n8n's nodes panel leaves "Trigger" out of a trigger's name
	const listedName = built.trigger.displayName.replace(/ Trigger$/, '');
	const item = creator.getByTestId('item-iterator-item').filter({
		has: page.getByTestId('node-creator-item-name').getByText(listedName, { exact: true }),
	});
	await item.first().waitFor();
	await expect(item.count()).resolves.toBe(1);
	await expect(item.innerText()).resolves.toContain(built.trigger.description);
	// the panel down to the search result (the rest of it is empty)
	const panelTop = await areaAround(page, [creator.getByTestId('node-creator-search-bar').locator('..'), item], 16);
	const panel = await creator.boundingBox();
	const clip = { ...panelTop, x: panel.x, width: panel.width };
	await saveScreenshot(page, 'nodes-panel', { clip, secrets: SECRETS });

	// n8n then lists one trigger per option of the Events field, named by its `action`: take the main event
	await item.click();
	const eventOptions = property('events').options;
	const listedNames = creator.getByTestId('node-creator-item-name');
	for (const option of eventOptions) await listedNames.getByText(option.action, { exact: true }).waitFor();
	const psychometric = eventOptions.find((o) => o.value === 'psychometric_score.complete');
	await listedNames.getByText(psychometric.action, { exact: true }).click();
	await ndv().waitFor();
	await expect(ndv().getByTestId('node-title-container').innerText()).resolves.toContain(built.trigger.defaults.name);
});

step('creates a Begini API credential: the key check refuses a pasted key in quotes and accepts the key', async () => {
	const refused = await built.checkCredential({ apiKey: BAD_KEY });
	const accepted = await built.checkCredential({ apiKey: GOOD_KEY });
	expect(refused.status).toBe('Error');
	expect(refused.message).not.toContain(GOOD_KEY);
	expect(accepted.status).toBe('OK');

	await parameters().getByTestId('node-credentials-empty-state').click();
	const dialog = page.getByTestId('editCredential-modal');
	await dialog.waitFor();
	const apiKey = dialog.getByTestId('parameter-input-apiKey').locator('input');
	await expect(apiKey.getAttribute('type')).resolves.toBe('password');
	await apiKey.fill(BAD_KEY);
	await dialog.getByTestId('credential-save-button').click();
	// n8n says the test failed and shows the node's reason under "More details"
	await dialog.getByText('More details').click();
	await dialog.getByText(refused.message, { exact: true }).waitFor();

	await apiKey.fill(GOOD_KEY);
	await dialog.getByTestId('credential-save-button').click();
	// a credential created from a node's window closes once its test passes; open it again to see the answer
	await dialog.waitFor({ state: 'hidden' });
	await parameters().getByTestId('credential-edit-button').click();
	await dialog.getByTestId('credentials-config-container-test-success').waitFor();
	await saveScreenshot(page, 'credential', { target: dialog, secrets: SECRETS });
	await dialog.locator('.el-dialog__close').first().click();
	await dialog.waitFor({ state: 'hidden' });
});

step('shows the Production URL and the Test URL', async () => {
	const { path } = built.trigger.webhooks[0];
	await parameters().getByText('Webhook URLs').click();
	await parameters().getByTestId('radio-button-test').click();
	const testUrlPattern = new RegExp(`^${n8n.baseUrl}/webhook-test/([0-9a-f-]{36})/${path}$`);
	testUrl = squeeze(await parameters().getByText(testUrlPattern).innerText());
	const [, webhookId] = testUrlPattern.exec(testUrl);
	await parameters().getByTestId('radio-button-production').click();
	await parameters().getByText(`${n8n.baseUrl}/webhook/${webhookId}/${path}`, { exact: true }).waitFor();
});

step('lists the seven documented event types in Events, each with its description', async () => {
	const events = property('events');
	expect(built.eventTypes).toHaveLength(7);
	expect(events.options.map((o) => o.value).sort()).toEqual([...built.eventTypes].sort());
	// empty the field the nodes panel filled in, as a user who wants every event does
	await parameterRow('events').locator('.el-tag__close').click();
	await expect(parameterRow('events').locator('.el-tag').count()).resolves.toBe(0);
	await parameterRow('events').getByTestId('parameter-input-events').click();
	const shown = await openSelectOptions();
	await parameterRow('events').locator('label[for="events"]').click();
	expect(shown).toEqual(events.options.map((o) => ({ name: o.name, description: o.description })));
	emptyEventsRow = squeeze(await parameterRow('events').innerText());
	await saveScreenshot(page, 'trigger-settings', { target: ndv(), secrets: SECRETS });
});

step('shows the help of every field and every option', async () => {
	for (const p of built.trigger.properties.filter((p) => p.type === 'notice')) {
		await parameters().getByText(p.displayName, { exact: true }).waitFor();
	}
	for (const p of built.trigger.properties.filter((p) => p.type !== 'notice' && p.type !== 'collection')) {
		if (p.description) await expectTooltip(p.name, p.description);
		if (p.hint) expect(squeeze(await parameterRow(p.name).innerText())).toContain(squeeze(p.hint));
	}
	// add every option of Options, in the order n8n lists them, then read each one's help
	const collection = built.trigger.properties.find((p) => p.type === 'collection');
	const listed = [];
	for (let i = 0; i < collection.options.length; i++) {
		await parameters().getByTestId('collection-parameter-add').click();
		const choices = page.getByTestId('collection-parameter-option').filter({ visible: true });
		await choices.first().waitFor();
		listed.push(squeeze(await choices.first().innerText()));
		await choices.first().click();
	}
	expect(listed.sort()).toEqual(collection.options.map((o) => o.displayName).sort());
	for (const option of collection.options) {
		if (option.description) await expectTooltip(option.name, option.description);
		if (option.hint) expect(squeeze(await parameterRow(option.name).innerText())).toContain(squeeze(option.hint));
		if (option.type === 'options') {
			await parameterRow(option.name).getByTestId(`parameter-input-${option.name}`).click();
			const shown = await openSelectOptions();
			await parameterRow(option.name).locator(`label[for="${option.name}"]`).click();
			expect(shown).toEqual(option.options.map((o) => ({ name: o.name, description: o.description ?? '' })));
		}
	}
});

step("shows the trigger panel's help when the node defines it", async () => {
	const panel = built.trigger.triggerPanel;
	// without one, n8n shows its generic text; with one, its header, hint and "When will…" help
	if (!panel) return;
	const text = async () => squeeze(await ndv().innerText());
	if (panel.header) await expect(page.getByTestId('trigger-header').innerText()).resolves.toContain(panel.header);
	const hint = typeof panel.activationHint === 'string' ? panel.activationHint : panel.activationHint?.inactive;
	for (const line of visibleLines(hint ?? '')) expect(await text()).toContain(line);
	const help = typeof panel.executionsHelp === 'string' ? panel.executionsHelp : panel.executionsHelp?.inactive;
	if (help) {
		await ndv().getByText('When will this node trigger my flow?').click();
		for (const line of visibleLines(help)) expect(await text()).toContain(line);
	}
});

step('listens for a test event and shows a signed delivery to the Test URL in the output panel', async () => {
	await parameters().getByTestId('radio-button-test').click();
	await parameters().getByText(testUrl, { exact: true }).waitFor();
	await ndv().getByTestId('node-execute-button').click();
	await ndv().getByTestId('trigger-listening').waitFor();
	// the delivery goes to the Test URL the window shows while it listens
	await parameters().getByText(testUrl, { exact: true }).waitFor();

	const answer = await sendDelivery({
		url: testUrl,
		method: 'POST',
		headers: { 'content-type': 'application/json', 'X-Signature': DELIVERY.signature },
		body: DELIVERY.body,
	});
	expect([answer.status, answer.json?.status]).toEqual([200, 'accepted']);

	const output = ndv().getByTestId('output-panel');
	await output.getByTestId('run-data-item-count').waitFor();
	await expect(output.getByTestId('run-data-item-count').innerText()).resolves.toMatch(/^1 item/);
	await output.getByTestId('radio-button-json').click();
	const data = output.getByTestId('ndv-data-container');
	await data.getByText(DELIVERY.payload.uid).first().waitFor();
	const shown = squeeze(await data.innerText());
	const { uid, event } = DELIVERY.payload;
	for (const field of [
		`"eventType": "${event.type}"`,
		`"uid": "${uid}"`,
		`"riskBand": "${event.details.calculated.risk_band}"`,
		`"score": ${event.details.calculated.score}`,
		`"deliveryId": "${answer.json.deliveryId}"`,
	]) {
		expect(shown).toContain(field);
	}
	await page.mouse.move(0, 0);
	await saveScreenshot(page, 'test-event-output', { target: output, secrets: SECRETS });
	await ndv().getByTestId('ndv-close-button').click();
	await page.locator(`[data-test-id="canvas-node"][data-node-name="${built.trigger.defaults.name}"]`).waitFor();
});

step('opens the example workflow with every node on the canvas and every connection drawn', async () => {
	const [credential] = (await n8n.listCredentials()).filter((c) => c.type === built.credential.name);
	const workflow = await n8n.importAndActivateWorkflow(EXAMPLE, { credentials: { [credential.type]: credential }, activate: false });
	const json = await n8n.getWorkflow(workflow.id);
	await page.goto(`/workflow/${workflow.id}`);
	await page.getByTestId('canvas-node').first().waitFor();

	const isSticky = (node) => node.type === 'n8n-nodes-base.stickyNote';
	const canvasNodes = await page.getByTestId('canvas-node').evaluateAll((els) => els.map((e) => e.dataset.nodeName));
	expect(canvasNodes.sort()).toEqual(json.nodes.filter((n) => !isSticky(n)).map((n) => n.name).sort());
	await expect(page.getByTestId('sticky').count()).resolves.toBe(json.nodes.filter(isSticky).length);

	const expected = Object.entries(json.connections).flatMap(([source, { main }]) =>
		main.flatMap((outputs) => outputs.map(({ node: target }) => `${source} → ${target}`)),
	);
	const drawn = await page.getByTestId('edge').evaluateAll((els) =>
		els.map((e) => `${e.dataset.sourceNodeName} → ${e.dataset.targetNodeName}`),
	);
	expect(drawn.sort()).toEqual(expected.sort());
	expect(expected.length).toBeGreaterThan(0);

	// fit the workflow, then one step smaller so that n8n's tabs and buttons stay out of the picture
	await page.getByTestId('zoom-to-fit').click();
	await page.getByTestId('zoom-out-button').click();
	await page.mouse.move(0, 0);
	await untilStill(page.getByTestId('canvas-node').first());
	const clip = await areaAround(page, [page.getByTestId('canvas-node'), page.getByTestId('sticky')], 64);
	await saveScreenshot(page, 'decision-workflow', { clip, secrets: SECRETS });
});

step(
	'says next to the empty Events field that empty means every event',
	() => {
		// n8n 2.41 shows "Select" in any empty multi-select whatever its `placeholder`: only a hint can say it
		const { hint } = property('events');
		if (!hint) throw new Error('the Events field has no hint, so nothing on screen says that empty means every event');
		expect(emptyEventsRow).toContain(squeeze(hint));
	},
	{ needsEarlierSteps: false },
);
