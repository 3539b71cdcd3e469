// A local stand-in for Begini's API on 127.0.0.1 (node:http, built-ins only), so that the whole loop can be
// tried without a Begini account or a public URL:
//   POST /v1/sessions-management/tokens   session creation, with Begini's documented checks and answers
//   POST /v1/webhooks-management/test     the test API, with each documented outcome
//   GET  /master/psychometrics            where a session's `url` points: a page that says how to play
//   GET  /sandbox                         the state: environments, sessions, deliveries
//   PUT  /sandbox/environments/<env>      set an environment's webhook URL (Begini's Deployment Centre), key, …
//   POST /sandbox/play                    play the applicant: {uid, outcome, riskBand, score, timeOutFirstAttempt, wait}
// Where Begini's docs are silent, the sandbox's choice is marked "sandbox:" below and in scripts/README.md.

import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import { HOST } from './paths.mjs';
import { isLoopbackUrl, signBody } from './begini-sender.mjs';
import {
	ATTEMPT_TIMEOUT_MS,
	FAST_ATTEMPT_TIMEOUT_MS,
	FAST_RETRY_DELAYS_MS,
	OUTCOME_EVENTS,
	RETRY_DELAYS_MS,
	Timers,
	attemptDelivery,
	deliverWithRetries,
	outcomePayload,
	testEventPayload,
} from './sandbox-deliveries.mjs';

export const SANDBOX_DEFAULT_PORT = 5690;
export const SESSION_PATH = '/v1/sessions-management/tokens';
export const TEST_WEBHOOK_PATH = '/v1/webhooks-management/test';
export const ASSESSMENT_PATH = '/master/psychometrics';

/** Demo credentials, one set per environment, as Begini's Deployment Centre shows them. */
export const DEFAULT_ENVIRONMENTS = {
	production: { apiKey: 'sandbox-production-key-0123456789abcdef', integrationId: '65f1c2a9e4b0a1d2c3e4f5a6' },
	test: { apiKey: 'sandbox-test-key-0123456789abcdef', integrationId: '65f1c2a9e4b0a1d2c3e4f5a7' },
};
export const ENVIRONMENT_NAMES = ['production', 'test'];
const MAX_BODY_BYTES = 64 * 1024;
const ENDED = new Set(['complete', 'expire', 'cancel', 'abandon']);

class HttpError extends Error {
	constructor(status, detail) {
		super(typeof detail === 'string' ? detail : JSON.stringify(detail));
		this.status = status;
		this.detail = detail;
	}
}

/** Begini's 422 bodies are not published; the sandbox answers as FastAPI does (Begini's `detail` style). */
const invalid = (field, msg) => new HttpError(422, [{ loc: ['body', field], msg, type: 'value_error' }]);

/** `table[name]` for a name that came in a request: own entries only, so "__proto__" or "constructor" is unknown. */
function ownEntry(table, name) {
	return typeof name === 'string' && Object.hasOwn(table, name) ? table[name] : undefined;
}

function sameText(a, b) {
	const x = Buffer.from(String(a));
	const y = Buffer.from(String(b));
	return x.length === y.length && timingSafeEqual(x, y);
}

function base64url(value) {
	return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
}

export class BeginiSandbox {
	#server;
	#timers = new Timers();
	#secret = randomBytes(32);
	url = '';
	sessions = new Map(); // uid → session
	deliveries = [];

	/**
	 * @param {object} o
	 * @param {number} [o.port]   0 for any free port
	 * @param {object} [o.environments]  { production: { apiKey, integrationId, webhookUrl, sessionAuthentication }, test: … }
	 * @param {boolean} [o.fast]  short retry delays and attempt timeout (tests, demos)
	 * @param {(line: string) => void} [o.log]
	 */
	constructor({ port = SANDBOX_DEFAULT_PORT, environments = {}, fast = false, log = () => {} } = {}) {
		this.port = port;
		this.log = log;
		this.delaysMs = fast ? FAST_RETRY_DELAYS_MS : RETRY_DELAYS_MS;
		this.attemptTimeoutMs = fast ? FAST_ATTEMPT_TIMEOUT_MS : ATTEMPT_TIMEOUT_MS;
		this.environments = {};
		for (const name of ENVIRONMENT_NAMES) {
			this.environments[name] = { sessionAuthentication: 'apiKey', webhookUrl: '', ...DEFAULT_ENVIRONMENTS[name] };
			this.configure(name, environments[name] ?? {});
		}
	}

	async start() {
		this.#server = createServer((req, res) => void this.#handle(req, res));
		await new Promise((resolve, reject) => {
			this.#server.once('error', reject);
			this.#server.listen(this.port, HOST, resolve);
		});
		this.port = this.#server.address().port;
		this.url = `http://${HOST}:${this.port}`;
		return this;
	}

	/** Stops listening and cancels every scheduled resend. */
	async stop() {
		this.#timers.stop();
		if (!this.#server) return;
		this.#server.closeAllConnections();
		await new Promise((resolve) => this.#server.close(() => resolve()));
	}

	/** Sets an environment's webhook URL, key, integration ID or session authentication ('apiKey' | 'hmac'). */
	configure(name, { webhookUrl, apiKey, integrationId, sessionAuthentication } = {}) {
		const environment = ownEntry(this.environments, name);
		if (!environment) throw new HttpError(404, `No environment "${name}"; use ${ENVIRONMENT_NAMES.join(' or ')}`);
		if (webhookUrl !== undefined && webhookUrl !== '') {
			let ok = false;
			try {
				const url = new URL(webhookUrl);
				// no user name or password: the URL is shown in the sandbox's state and log
				ok = /^https?:$/.test(url.protocol) && isLoopbackUrl(webhookUrl) && url.username === '' && url.password === '';
			} catch {
				ok = false;
			}
			// sandbox: it only ever sends to this machine.
			if (!ok) throw new HttpError(422, 'webhookUrl must be an http(s) URL on 127.0.0.1 or localhost, without user name or password');
		}
		if (sessionAuthentication !== undefined && !['apiKey', 'hmac'].includes(sessionAuthentication)) {
			throw new HttpError(422, "sessionAuthentication must be 'apiKey' or 'hmac'");
		}
		for (const [key, value] of Object.entries({ webhookUrl, apiKey, integrationId, sessionAuthentication })) {
			if (value !== undefined) environment[key] = value;
		}
		return this.describeEnvironment(name);
	}

	describeEnvironment(name) {
		const { apiKey, ...shown } = this.environments[name];
		return { name, ...shown, apiKeyEnd: apiKey.slice(-4) };
	}

	state() {
		return {
			url: this.url,
			environments: ENVIRONMENT_NAMES.map((name) => this.describeEnvironment(name)),
			sessions: [...this.sessions.values()].map(({ token, ...session }) => session),
			deliveries: structuredClone(this.deliveries),
		};
	}

	/**
	 * Plays the applicant of a session: sends the outcome's events to the session's environment's webhook URL.
	 * Resolves once every event's first attempt is done, or with `wait` once every delivery is settled.
	 */
	async play({ uid, outcome, riskBand = 'B', score = 712, timeOutFirstAttempt = false, wait = false }) {
		if (!ownEntry(OUTCOME_EVENTS, outcome)) {
			throw new HttpError(422, `outcome must be one of ${Object.keys(OUTCOME_EVENTS).join(', ')}`);
		}
		const session = this.sessions.get(String(uid ?? ''));
		if (!session) throw new HttpError(404, `No session for uid "${uid}": create one first (Begini node → Session → Create)`);
		if (ENDED.has(session.state)) throw new HttpError(409, `The session of "${uid}" has already ended (${session.state})`);
		const environment = this.environments[session.environment];
		if (!environment.webhookUrl) {
			throw new HttpError(424, `No webhook URL set for the ${session.environment} environment (PUT /sandbox/environments/${session.environment})`);
		}
		session.state = outcome;
		const scoreValue = score === null || score === undefined ? score : Number(score);
		const records = OUTCOME_EVENTS[outcome].map((type) => {
			const body = Buffer.from(JSON.stringify(outcomePayload(type, session, { riskBand, score: scoreValue })));
			const record = deliverWithRetries({
				url: environment.webhookUrl,
				apiKey: environment.apiKey,
				body,
				delaysMs: this.delaysMs,
				timeoutMs: this.attemptTimeoutMs,
				timeOutFirstAttempt,
				timers: this.#timers,
				onAttempt: (r) => this.#logAttempt(r),
			});
			Object.assign(record, { id: this.deliveries.length + 1, uid: session.uid, eventType: type });
			this.deliveries.push(record);
			return record;
		});
		if (wait) await Promise.all(records.map((r) => r.settled));
		else await Promise.all(records.map((r) => r.firstAttempt));
		return { uid: session.uid, environment: session.environment, outcome, deliveries: structuredClone(records) };
	}

	#logAttempt(record) {
		const last = record.attempts.at(-1);
		const answer = last.error ? last.error : `${last.status}${last.lost ? ' (treated as a timeout)' : ''}`;
		const next = record.status === 'pending' ? `, resending in ${record.nextAttemptInMs} ms` : '';
		this.log(`delivery ${record.id} ${record.eventType} uid=${record.uid} attempt ${record.attempts.length} → ${answer}${next}`);
	}

	/**
	 * Only requests addressed to this sandbox by its loopback name are served: a web page in the developer's
	 * browser could otherwise reach it under a name of its own that resolves to 127.0.0.1 (DNS rebinding), or
	 * send it a cross-site request (which carries the page's Origin).
	 */
	#refusal(req) {
		const ownHosts = [`127.0.0.1:${this.port}`, `localhost:${this.port}`];
		if (!ownHosts.includes(String(req.headers.host ?? '').toLowerCase())) {
			return { status: 421, detail: `This sandbox answers only requests for ${ownHosts.join(' or ')} (Host header)` };
		}
		const origin = req.headers.origin;
		if (origin !== undefined && !ownHosts.some((host) => origin.toLowerCase() === `http://${host}`)) {
			return { status: 403, detail: 'This sandbox answers no cross-origin requests (Origin header)' };
		}
		return null;
	}

	async #handle(req, res) {
		const refusal = this.#refusal(req);
		if (refusal !== null) return send(res, refusal.status, { detail: refusal.detail });
		const path = new URL(req.url, this.url).pathname;
		try {
			const route = `${req.method} ${path}`;
			if (route === `POST ${SESSION_PATH}`) return send(res, 200, this.#createSession(req, await readBody(req)));
			if (route === `POST ${TEST_WEBHOOK_PATH}`) return send(res, 200, await this.#testWebhook(req));
			if (route === `GET ${ASSESSMENT_PATH}`) return sendHtml(res, assessmentPage(this.url));
			if (route === 'GET /sandbox') return send(res, 200, this.state());
			if (route === 'POST /sandbox/play') return send(res, 200, await this.play(parseJson(await readBody(req)) ?? {}));
			const environment = /^\/sandbox\/environments\/(\w+)$/.exec(path);
			if (environment && req.method === 'PUT') {
				return send(res, 200, this.configure(environment[1], parseJson(await readBody(req)) ?? {}));
			}
			throw new HttpError(404, 'Not Found');
		} catch (e) {
			if (e instanceof HttpError) return send(res, e.status, { detail: e.detail });
			this.log(`error: ${e.message}`);
			return send(res, 500, { detail: 'Internal Server Error' });
		}
	}

	/** The environment whose key or HMAC signature authenticates a session request (401 otherwise). */
	#sessionEnvironment(req, raw, body) {
		const apiKey = req.headers['api-key'];
		const signature = req.headers['x-signature'];
		if (typeof apiKey === 'string' && apiKey !== '') {
			const name = ENVIRONMENT_NAMES.find((n) => sameText(this.environments[n].apiKey, apiKey));
			if (!name) throw new HttpError(401, 'Invalid Api-key');
			// sandbox: an integration switched to HMAC takes signed requests only, as Begini's sample sends them.
			if (this.environments[name].sessionAuthentication === 'hmac') {
				throw new HttpError(401, 'This integration requires an HMAC signature (X-Signature)');
			}
			return name;
		}
		if (typeof signature === 'string' && signature !== '') {
			const name = ENVIRONMENT_NAMES.find((n) => this.environments[n].integrationId === body?.integration_id);
			const environment = this.environments[name];
			const expected = environment && signBody(raw, environment.apiKey);
			if (!environment || environment.sessionAuthentication !== 'hmac' || !sameText(expected, signature.toLowerCase())) {
				throw new HttpError(401, 'Invalid signature');
			}
			return name;
		}
		throw new HttpError(401, 'No Api-key supplied');
	}

	#createSession(req, raw) {
		const body = parseJson(raw);
		// sandbox: the key is checked before the body (Begini does not document the order).
		const name = this.#sessionEnvironment(req, raw, body);
		const environment = this.environments[name];
		if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalid('body', 'a JSON object is required');
		const { uid, integration_id: integrationId } = body;
		if (typeof uid !== 'string' || uid === '') throw invalid('uid', 'field required');
		if (uid.length < 5 || uid.length > 60) throw invalid('uid', 'uid must be 5 to 60 characters long');
		// sandbox: '-' and '_' pass, as in Begini's own examples; its rules say letters and digits only.
		if (!/^[A-Za-z0-9_-]+$/.test(uid)) throw invalid('uid', 'uid must contain letters and digits only');
		if (typeof integrationId !== 'string' || integrationId === '') throw invalid('integration_id', 'field required');
		if (integrationId !== environment.integrationId) {
			throw new HttpError(403, `Api-key not authorised for integration ${integrationId}`);
		}
		// sandbox: Begini does not say what a repeated uid does. Here it gets a new token for the same session
		// while the assessment has not ended, and is refused after (a uid serves one assessment).
		const existing = this.sessions.get(uid);
		if (existing && existing.environment !== name) throw invalid('uid', 'uid already used in another environment');
		if (existing && ENDED.has(existing.state)) throw invalid('uid', `uid already used for an assessment that ended (${existing.state}); use a new uid`);
		const session = existing ?? { uid, environment: name, integrationId, createdAt: new Date().toISOString(), state: 'created', tokensIssued: 0 };
		session.tokensIssued += 1;
		this.sessions.set(uid, session);
		const issuedAt = Math.floor(Date.now() / 1000);
		const claims = base64url({ sub: uid, iid: integrationId, env: name, iat: issuedAt, exp: issuedAt + 3600, jti: randomBytes(8).toString('hex') });
		const unsigned = `${base64url({ alg: 'HS256', typ: 'JWT' })}.${claims}`;
		session.token = `${unsigned}.${createHmac('sha256', this.#secret).update(unsigned).digest('base64url')}`;
		this.log(`session ${session.tokensIssued > 1 ? 'token re-issued' : 'created'}: uid=${uid} (${name})`);
		return { access_token: session.token, url: `${this.url}${ASSESSMENT_PATH}` };
	}

	/** Begini's test API: one signed test delivery, never resent, and the receiver's answer reported. */
	async #testWebhook(req) {
		const apiKey = req.headers['api-key'];
		if (typeof apiKey !== 'string' || apiKey === '') throw new HttpError(400, 'No Api-key supplied');
		const name = ENVIRONMENT_NAMES.find((n) => sameText(this.environments[n].apiKey, apiKey));
		if (!name) throw new HttpError(403, 'Invalid Api-key');
		const { webhookUrl, integrationId } = this.environments[name];
		if (!webhookUrl) throw new HttpError(424, `Webhooks not set for ${integrationId}, please set in Begini Dashboard`);
		const body = Buffer.from(JSON.stringify(testEventPayload(integrationId)));
		const result = await attemptDelivery({ url: webhookUrl, apiKey, body, timeoutMs: this.attemptTimeoutMs });
		this.log(`test event (${name}) → ${result.error ?? result.status}`);
		// sandbox: Begini documents 503 for an unreachable host; a receiver that times out is reported the same way.
		if (result.error) throw new HttpError(503, `Cannot connect to host ${new URL(webhookUrl).host}`);
		if (result.status !== 200) {
			throw new HttpError(422, { webhook_receiver_status_code: result.status, webhook_receiver_body_content: result.body });
		}
		return { webhook_receiver_status_code: 200, detail: 'Webhook sent successfully' };
	}
}

async function readBody(req) {
	const chunks = [];
	let size = 0;
	for await (const chunk of req) {
		size += chunk.length;
		if (size > MAX_BODY_BYTES) throw new HttpError(413, 'Request body too large');
		chunks.push(chunk);
	}
	return Buffer.concat(chunks);
}

function parseJson(raw) {
	try {
		return JSON.parse(raw.toString('utf8'));
	} catch {
		return undefined;
	}
}

function send(res, status, body) {
	const text = JSON.stringify(body);
	res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
	res.end(text);
}

function sendHtml(res, html) {
	res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
	res.end(html);
}

function assessmentPage(url) {
	return `<!doctype html><meta charset="utf-8"><title>Begini sandbox assessment</title>
<h1>Begini sandbox</h1>
<p>This is where Begini's assessment would open for the applicant. In the sandbox, play the applicant from a terminal:</p>
<pre>npm run sandbox -- play --uid &lt;uid&gt; --complete --band B --score 712
npm run sandbox -- play --uid &lt;uid&gt; --expire | --cancel | --abandon</pre>
<p>Sessions and deliveries: <a href="${url}/sandbox">${url}/sandbox</a></p>`;
}
