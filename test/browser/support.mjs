// What the browser suite needs around Playwright: Debian's Chromium (never a downloaded browser), a page
// that can reach nothing but 127.0.0.1, a guard on the page's errors, screenshots that can never show a
// secret, and the texts the editor should show, read from the built package (dist/) at run time.

import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

import { chromium, selectors } from 'playwright-core';

import { ROOT } from '../../scripts/lib/n8n-harness.mjs';

/** Debian's Chromium (`apt-get install chromium`; .ci/run installs it). */
export const CHROMIUM = process.env.BROWSER_TEST_CHROMIUM ?? '/usr/bin/chromium';

export const SCREENSHOT_DIR = join(ROOT, 'docs', 'images');
/** Where a failing step leaves a picture of the page, for the person reading the failure. */
export const FAILURE_DIR = join(ROOT, '.cache', 'browser-failures');

/** The same size on every machine, so that the README's pictures only change when the editor does. */
export const VIEWPORT = { width: 1440, height: 900 };

// Playwright adds --headless and a fresh, temporary --user-data-dir itself (it refuses one in `args`).
// Without the networking switches Chromium keeps trying to reach Google's services on a closed network.
const CHROMIUM_FLAGS = [
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
];

/** Why the suite cannot run here, or null when it can. */
export function browserSkipReason() {
	if (existsSync(CHROMIUM)) return null;
	return `no Chromium at ${CHROMIUM}: install it with \`apt-get install chromium\` (.ci/run does), or set BROWSER_TEST_CHROMIUM`;
}

/**
 * Starts Chromium headless and opens one page on `baseUrl`. n8n's editor uses data-test-id (not
 * Playwright's default data-testid), as n8n's own Playwright tests configure. Every request to a host
 * other than 127.0.0.1 is aborted: the suite talks to the local n8n only.
 */
export async function openBrowser(baseUrl) {
	selectors.setTestIdAttribute('data-test-id');
	const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS });
	const context = await browser.newContext({
		baseURL: baseUrl,
		viewport: VIEWPORT,
		deviceScaleFactor: 1,
		locale: 'en-US',
		timezoneId: 'UTC',
		colorScheme: 'light',
		reducedMotion: 'reduce',
	});
	await context.route((url) => url.hostname !== '127.0.0.1', (route) => route.abort('blockedbyclient'));
	const page = await context.newPage();
	page.setDefaultTimeout(20_000);
	return { browser, context, page };
}

/**
 * Browser errors n8n 2.41.1 prints by itself, each with the reason. Found by loading the sign-in page,
 * the home page and a new workflow in a bare n8n (no Begini steps), and by opening a community node.
 */
const N8N_OWN_ERRORS = [
	{
		// Before signing in, the editor asks whether a session exists (GET /rest/login); n8n answers 401.
		why: 'the sign-in page checks for a session first',
		text: /^Failed to load resource: the server responded with a status of 401 \(Unauthorized\)$/,
		url: /^http:\/\/127\.0\.0\.1:\d+\/rest\/login$/,
	},
	{
		// The nodes panel looks up every community package on registry.npmjs.org (for its details card);
		// this suite blocks all traffic that is not to 127.0.0.1, so the look-up fails.
		why: "the nodes panel's npm look-up of the community package, blocked here",
		text: /^Failed to load resource: net::ERR_BLOCKED_BY_CLIENT\.Inspector$/,
		url: /^https:\/\/registry\.npmjs\.org\/n8n-nodes-begini$/,
	},
];

/** Collects the page's uncaught errors and console errors; n8n's own (above) are set aside. */
export class PageErrorGuard {
	constructor(page) {
		this.errors = [];
		page.on('pageerror', (error) => this.errors.push(`uncaught error: ${error.message}`));
		page.on('console', (message) => {
			if (message.type() !== 'error') return;
			const { url } = message.location();
			const known = N8N_OWN_ERRORS.some((e) => e.text.test(message.text()) && e.url.test(url ?? ''));
			if (!known) this.errors.push(`console error: ${message.text()} (${url || 'no location'})`);
		});
	}

	/** The errors collected since the last call. */
	take() {
		return this.errors.splice(0);
	}
}

const TRANSIENT_ELEMENTS_HIDDEN = '.el-notification { visibility: hidden !important; }';

/**
 * Refuses when a secret is anywhere on the page as text or in a field that is not masked, then saves
 * a PNG of `target` (a locator, or the page), or of the page's `clip` area, to docs/images/<name>.png.
 */
export async function saveScreenshot(page, name, { target = page, clip, secrets = [] } = {}) {
	const shown = await page.evaluate(() => {
		const unmasked = [...globalThis.document.querySelectorAll('input, textarea')]
			.filter((field) => field.type !== 'password')
			.map((field) => field.value);
		return [globalThis.document.body.innerText, ...unmasked].join('\n');
	});
	for (const secret of secrets) {
		if (shown.includes(secret)) throw new Error(`refusing to save ${name}.png: the page shows a secret`);
	}
	mkdirSync(SCREENSHOT_DIR, { recursive: true });
	const path = join(SCREENSHOT_DIR, `${name}.png`);
	// n8n's toasts ("Credential saved", "Node executed successfully") come and go: left out of the pictures
	await target.screenshot({ path, clip, animations: 'disabled', caret: 'hide', style: TRANSIENT_ELEMENTS_HIDDEN });
	return path;
}

/** The page area around every element of `locators`, `margin` pixels wider on each side, within the page. */
export async function areaAround(page, locators, margin = 24) {
	const boxes = [];
	for (const locator of locators) {
		for (const element of await locator.all()) boxes.push(await element.boundingBox());
	}
	const { width, height } = page.viewportSize();
	const left = Math.max(0, Math.min(...boxes.map((b) => b.x)) - margin);
	const top = Math.max(0, Math.min(...boxes.map((b) => b.y)) - margin);
	const right = Math.min(width, Math.max(...boxes.map((b) => b.x + b.width)) + margin);
	const bottom = Math.min(height, Math.max(...boxes.map((b) => b.y + b.height)) + margin);
	return { x: left, y: top, width: right - left, height: bottom - top };
}

/** Leaves a picture of the page where a failing step can be looked at; never fails itself. */
export async function saveFailureScreenshot(page, name) {
	try {
		mkdirSync(FAILURE_DIR, { recursive: true });
		const path = join(FAILURE_DIR, `${name.replace(/[^a-z0-9]+/gi, '-').slice(0, 80)}.png`);
		await page.screenshot({ path });
		return path;
	} catch {
		return undefined;
	}
}

const requireFromRoot = createRequire(join(ROOT, 'package.json'));

/**
 * The built package as n8n loads it: the trigger's description, the credential's properties, the
 * credential test the trigger names, and the event types (dist/ must be built).
 */
export function builtPackage() {
	const load = (path) => {
		const file = join(ROOT, 'dist', path);
		if (!existsSync(file)) throw new Error(`${file} is missing: run \`npm run build\` first`);
		return requireFromRoot(file);
	};
	const { BeginiTrigger } = load('nodes/BeginiTrigger/BeginiTrigger.node.js');
	const { BeginiApi } = load('credentials/BeginiApi.credentials.js');
	const { KNOWN_EVENT_TYPES } = load('nodes/BeginiTrigger/types.js');
	const trigger = new BeginiTrigger();
	const credential = new BeginiApi();
	const { testedBy } = trigger.description.credentials.find((c) => c.name === credential.name);
	return {
		trigger: trigger.description,
		credential,
		eventTypes: [...KNOWN_EVENT_TYPES],
		/** What the credential test answers for a credential whose fields are their defaults but `data`. */
		async checkCredential(data) {
			const defaults = Object.fromEntries(credential.properties.map((p) => [p.name, p.default]));
			return await trigger.methods.credentialTest[testedBy].call(
				{},
				{ id: 'check', name: 'check', type: credential.name, data: { ...defaults, ...data } },
			);
		},
	};
}

const FIXTURES = join(ROOT, 'test', 'fixtures');

/**
 * A delivery signed by Python's hmac (test/fixtures/make_signature_vectors.py), never by the code under
 * test: { key, signature, body (the exact bytes), payload (parsed) }.
 */
export function signedDelivery(name) {
	const { vectors } = JSON.parse(readFileSync(join(FIXTURES, 'signature-vectors.json'), 'utf8'));
	const vector = vectors.find((v) => v.name === name && v.bodyFile);
	if (!vector) throw new Error(`no signature vector named "${name}" with a body file`);
	const body = readFileSync(join(FIXTURES, vector.bodyFile));
	return { key: vector.key, algorithm: vector.algorithm, signature: vector.signature, body, payload: JSON.parse(body) };
}

/** The lines a reader sees of a help text n8n renders as HTML (<br> breaks lines, tags are dropped). */
export function visibleLines(html) {
	const entities = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", nbsp: ' ' };
	return html
		.replace(/<br\s*\/?>/gi, '\n')
		.replace(/<[^>]+>/g, '')
		.replace(/&(amp|lt|gt|quot|#39|nbsp);/g, (_, name) => entities[name])
		.split('\n')
		.map(squeeze)
		.filter(Boolean);
}

/** Whitespace as the browser shows it: runs collapsed to one space, none at the ends. */
export function squeeze(text) {
	return text.replace(/\s+/g, ' ').trim();
}
