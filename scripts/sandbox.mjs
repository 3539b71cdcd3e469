#!/usr/bin/env node
// `npm run sandbox`: a local Begini API on 127.0.0.1 (see lib/begini-sandbox.mjs), and the commands that
// drive it: play an applicant, set an environment's webhook URL, show what happened.
//
//   npm run sandbox [-- --port 5690 --webhook-url URL --test-webhook-url URL --fast …]
//   npm run sandbox -- play --uid APP2026000123 --complete --band B --score 712
//   npm run sandbox -- set-webhook --environment production --url URL
//   npm run sandbox -- status
//
// Plain Node.js (>= 20), built-ins only.

import { BeginiSandbox, DEFAULT_ENVIRONMENTS, SANDBOX_DEFAULT_PORT } from './lib/begini-sandbox.mjs';
import { parseOptionsOrExit } from './lib/command-line.mjs';
import { HOST } from './lib/paths.mjs';

const HELP = `Usage:
  npm run sandbox [-- options]          start the Begini sandbox on http://${HOST}:${SANDBOX_DEFAULT_PORT}
  npm run sandbox -- play --uid UID (--complete [--band B] [--score 712] | --expire | --cancel | --abandon)
  npm run sandbox -- set-webhook --environment production|test --url URL
  npm run sandbox -- status

Start options:
  --port N                    port (default ${SANDBOX_DEFAULT_PORT}; 0 for any free port)
  --webhook-url URL           Production webhook URL (e.g. a Begini Trigger's Production URL)
  --test-webhook-url URL      Test webhook URL
  --api-key KEY               Production API key (default ${DEFAULT_ENVIRONMENTS.production.apiKey})
  --test-api-key KEY          Test API key (default ${DEFAULT_ENVIRONMENTS.test.apiKey})
  --integration-id ID         Production integration ID (default ${DEFAULT_ENVIRONMENTS.production.integrationId})
  --test-integration-id ID    Test integration ID (default ${DEFAULT_ENVIRONMENTS.test.integrationId})
  --hmac                      Production sessions must be HMAC-signed (X-Signature), not sent with api-key
  --fast                      resend after 0.2, 0.5, 1 and 2 s and wait 3 s per attempt
                              (default: after 5 s, 30 s, 2 min and 10 min, 10 s per attempt)
  --ready-json                print one JSON line {"url": …} when listening (for programs that start it)

Commands (talk to a running sandbox, --sandbox URL, default http://${HOST}:${SANDBOX_DEFAULT_PORT}):
  play          play the applicant of a session created through the sandbox:
                --complete sends application.complete and psychometric_score.complete (--band, --score),
                --expire application.expired, --cancel application.cancelled, --abandon application.incomplete;
                --time-out-first: treat the first answer as lost, so the sandbox resends (as Begini does);
                --wait: wait until every delivery is delivered or has run out of attempts
  set-webhook   set the webhook URL of an environment (what Begini's Deployment Centre does)
  status        environments, sessions and deliveries as JSON
  -h, --help`;

const args = parseOptionsOrExit(
	{
		port: { type: 'string', default: String(SANDBOX_DEFAULT_PORT) },
		'webhook-url': { type: 'string' },
		'test-webhook-url': { type: 'string' },
		'api-key': { type: 'string' },
		'test-api-key': { type: 'string' },
		'integration-id': { type: 'string' },
		'test-integration-id': { type: 'string' },
		hmac: { type: 'boolean', default: false },
		fast: { type: 'boolean', default: false },
		'ready-json': { type: 'boolean', default: false },
		sandbox: { type: 'string', default: `http://${HOST}:${SANDBOX_DEFAULT_PORT}` },
		uid: { type: 'string' },
		complete: { type: 'boolean', default: false },
		expire: { type: 'boolean', default: false },
		cancel: { type: 'boolean', default: false },
		abandon: { type: 'boolean', default: false },
		band: { type: 'string', default: 'B' },
		score: { type: 'string', default: '712' },
		'time-out-first': { type: 'boolean', default: false },
		wait: { type: 'boolean', default: false },
		environment: { type: 'string', default: 'production' },
		url: { type: 'string' },
	},
	HELP,
	{ allowPositionals: true },
);

const fail = (message) => {
	console.error(`${message}\n\nSee: npm run sandbox -- --help`);
	process.exit(2);
};

/** Calls a running sandbox's control API; prints its answer. */
async function control(method, path, body) {
	let response;
	try {
		response = await fetch(`${args.sandbox}${path}`, {
			method,
			headers: { 'content-type': 'application/json' },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
	} catch (e) {
		fail(`No sandbox answers at ${args.sandbox} (${e.cause?.code ?? e.message}). Start it with: npm run sandbox (or npm start)`);
	}
	const json = await response.json();
	if (!response.ok) {
		console.error(`sandbox: ${response.status} ${typeof json.detail === 'string' ? json.detail : JSON.stringify(json.detail)}`);
		process.exit(1);
	}
	return json;
}

function printPlay(result) {
	console.log(`Played ${result.outcome} for uid ${result.uid} (${result.environment}):`);
	for (const d of result.deliveries) {
		const attempts = d.attempts.map((a) => a.error ?? `${a.status}${a.lost ? ' (treated as lost)' : ''}`).join(', ');
		const next = d.status === 'pending' ? `; resending in ${d.nextAttemptInMs / 1000} s` : '';
		console.log(`  ${d.eventType.padEnd(28)} ${d.status.padEnd(9)} attempts: ${attempts}${next}`);
	}
}

const [command = 'start', ...extra] = args.positionals;
if (extra.length > 0) fail(`Unexpected words: ${extra.join(' ')}`);

if (command === 'play') {
	const outcomes = ['complete', 'expire', 'cancel', 'abandon'].filter((o) => args[o]);
	if (!args.uid) fail('play needs --uid (the uid the session was created with)');
	if (outcomes.length !== 1) fail('play needs exactly one of --complete, --expire, --cancel, --abandon');
	const score = args.score === 'null' ? null : Number(args.score);
	if (score !== null && !Number.isInteger(score)) fail('--score must be a whole number (or null)');
	printPlay(
		await control('POST', '/sandbox/play', {
			uid: args.uid,
			outcome: outcomes[0],
			riskBand: args.band,
			score,
			timeOutFirstAttempt: args['time-out-first'],
			wait: args.wait,
		}),
	);
} else if (command === 'set-webhook') {
	if (!args.url) fail('set-webhook needs --url');
	console.log(JSON.stringify(await control('PUT', `/sandbox/environments/${args.environment}`, { webhookUrl: args.url }), null, 2));
} else if (command === 'status') {
	console.log(JSON.stringify(await control('GET', '/sandbox'), null, 2));
} else if (command === 'start') {
	await startSandbox();
} else {
	fail(`Unknown command "${command}"`);
}

async function startSandbox() {
	const port = Number(args.port);
	if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port must be a port number, got ${args.port}`);
	const environment = (webhookUrl, apiKey, integrationId) =>
		Object.fromEntries(Object.entries({ webhookUrl, apiKey, integrationId }).filter(([, v]) => v !== undefined));
	let sandbox;
	try {
		sandbox = new BeginiSandbox({
			port,
			fast: args.fast,
			log: (line) => console.log(`[sandbox] ${line}`),
			environments: {
				production: {
					...environment(args['webhook-url'], args['api-key'], args['integration-id']),
					...(args.hmac && { sessionAuthentication: 'hmac' }),
				},
				test: environment(args['test-webhook-url'], args['test-api-key'], args['test-integration-id']),
			},
		});
		await sandbox.start();
	} catch (e) {
		fail(e.code === 'EADDRINUSE' ? `Port ${port} is in use; pick another with --port` : e.message);
	}
	const stop = async () => {
		await sandbox.stop();
		process.exit(0);
	};
	for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => void stop());
	if (args['ready-json']) {
		console.log(JSON.stringify({ url: sandbox.url }));
		return;
	}
	const lines = sandbox.state().environments.map((e) => {
		const key = sandbox.environments[e.name].apiKey;
		return `  ${e.name.padEnd(10)} API key ${key}  integration ID ${e.integrationId}  webhook ${e.webhookUrl || '(not set)'}${e.sessionAuthentication === 'hmac' ? '  HMAC sessions' : ''}`;
	});
	console.log(`Begini sandbox on ${sandbox.url}   (use it as the Begini API credential's API Base URL)
${lines.join('\n')}
Play an applicant (after creating a session for the uid):
  npm run sandbox -- play --uid <uid> --complete --band B --score 712
State: ${sandbox.url}/sandbox        Ctrl-C stops it.`);
}
