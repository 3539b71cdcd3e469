// The Begini sandbox in this process (scripts/lib/begini-sandbox.mjs): what it trusts. Run by `npm run
// test:unit` with node's test runner; test/node/sandbox.test.ts checks the same against `npm run sandbox`.
import assert from 'node:assert/strict';
import { createServer, request } from 'node:http';
import { after, before, test } from 'node:test';

import { BeginiSandbox, DEFAULT_ENVIRONMENTS } from '../../scripts/lib/begini-sandbox.mjs';

let sandbox;

before(async () => {
	sandbox = await new BeginiSandbox({ port: 0 }).start();
});
after(() => sandbox.stop());

/** One request to the sandbox on 127.0.0.1, with the headers given (Host included). */
function call(method, path, { headers = {}, body } = {}) {
	return new Promise((resolve, reject) => {
		const req = request({ host: '127.0.0.1', port: sandbox.port, method, path, headers }, (res) => {
			let text = '';
			res.on('data', (chunk) => (text += chunk));
			res.on('end', () => resolve({ status: res.statusCode, json: JSON.parse(text) }));
		});
		req.on('error', reject);
		req.end(body === undefined ? undefined : JSON.stringify(body));
	});
}

const own = () => ({ host: `127.0.0.1:${sandbox.port}`, 'content-type': 'application/json' });

test('PUT /sandbox/environments/<name> for a name Object.prototype has: 404, and nothing set anywhere', async () => {
	for (const name of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf']) {
		const answer = await call('PUT', `/sandbox/environments/${name}`, { headers: own(), body: { apiKey: 'polluted', webhookUrl: 'http://127.0.0.1:1/x' } });
		assert.equal(answer.status, 404, name);
		assert.match(answer.json.detail, /^No environment/);
	}
	assert.equal({}.apiKey, undefined);
	assert.equal({}.webhookUrl, undefined);
	assert.deepEqual(Object.keys(sandbox.environments).sort(), ['production', 'test']);
});

test('playing an outcome named after an Object.prototype member: 422, not 500', async () => {
	for (const outcome of ['constructor', 'toString', '__proto__']) {
		const answer = await call('POST', '/sandbox/play', { headers: own(), body: { uid: 'APP2026000900', outcome } });
		assert.equal(answer.status, 422, outcome);
	}
});

test('answers only requests for 127.0.0.1 or localhost on its port (Host), with a clear 421', async () => {
	assert.equal((await call('GET', '/sandbox', { headers: own() })).status, 200);
	assert.equal((await call('GET', '/sandbox', { headers: { host: `localhost:${sandbox.port}` } })).status, 200);
	for (const host of ['rebound.example.com', `rebound.example.com:${sandbox.port}`, '127.0.0.1', `127.0.0.1:${sandbox.port + 1}`, `127.0.0.1.nip.io:${sandbox.port}`]) {
		const answer = await call('GET', '/sandbox', { headers: { host } });
		assert.equal(answer.status, 421, host);
		assert.match(answer.json.detail, /answers only requests for 127\.0\.0\.1:\d+ or localhost:\d+/);
	}
	// a refused request changes nothing
	const refused = await call('PUT', '/sandbox/environments/production', { headers: { host: 'rebound.example.com' }, body: { apiKey: 'from-a-web-page' } });
	assert.equal(refused.status, 421);
	assert.notEqual(sandbox.environments.production.apiKey, 'from-a-web-page');
});

test('answers no cross-origin request (a web page in the browser), with 403', async () => {
	const answer = await call('POST', '/sandbox/play', { headers: { ...own(), origin: 'https://evil.example.com' }, body: { uid: 'x', outcome: 'complete' } });
	assert.deepEqual(answer, { status: 403, json: { detail: 'This sandbox answers no cross-origin requests (Origin header)' } });
	const sameOrigin = await call('GET', '/sandbox', { headers: { ...own(), origin: `http://127.0.0.1:${sandbox.port}` } });
	assert.equal(sameOrigin.status, 200);
});

test('refuses a webhook URL with a user name or password', async () => {
	const answer = await call('PUT', '/sandbox/environments/test', { headers: own(), body: { webhookUrl: 'http://user:hunter2@127.0.0.1:1/x' } });
	assert.equal(answer.status, 422);
	assert.equal(JSON.stringify(sandbox.state()).includes('hunter2'), false);
});

/** A server on `host` that records each request and answers with `answer(request)`: [status, headers]. */
async function recorder(host, answer) {
	const received = [];
	const server = createServer((req, res) => {
		received.push({ method: req.method, headers: req.headers });
		const [status, headers] = answer(req);
		res.writeHead(status, headers);
		res.end();
	});
	await new Promise((resolve) => server.listen(0, host, resolve));
	return { url: `http://${host}:${server.address().port}`, received, stop: () => new Promise((resolve) => server.close(resolve)) };
}

test('a webhook receiver that redirects gets no second delivery elsewhere: the redirect is its answer (422 from the test API)', async () => {
	const elsewhere = await recorder('127.0.0.2', () => [200, {}]);
	const redirecting = await recorder('127.0.0.1', () => [307, { location: `${elsewhere.url}/hook` }]);
	try {
		assert.equal((await call('PUT', '/sandbox/environments/test', { headers: own(), body: { webhookUrl: `${redirecting.url}/hook` } })).status, 200);
		const answer = await call('POST', '/v1/webhooks-management/test', { headers: { ...own(), 'api-key': DEFAULT_ENVIRONMENTS.test.apiKey } });
		assert.equal(answer.status, 422);
		assert.equal(answer.json.detail.webhook_receiver_status_code, 307);
		assert.equal(redirecting.received.length, 1);
		assert.deepEqual(elsewhere.received, []);
	} finally {
		await Promise.all([elsewhere.stop(), redirecting.stop()]);
	}
});
