#!/usr/bin/env node
// Sends a realistic, signed Begini webhook delivery to an n8n webhook URL.
//
//   npm run send -- --url URL --key KEY [--type psychometric_score.complete] [--file payload.json]
//                   [--twice] [--tampered] [--unsigned] [--wrong-key] [--header X-Signature]
//                   [--algorithm sha512|sha256] [--risk-band C] [--score 640] [--uid APP-1]
//
// Plain Node.js (>= 20), built-ins only.

import { readFileSync } from 'node:fs';
import {
	DEFAULT_EVENT_TYPE,
	buildDelivery,
	customizePayload,
	fixtureEventTypes,
	loadFixture,
	sendDelivery,
} from './lib/begini-sender.mjs';
import { parseOptionsOrExit } from './lib/command-line.mjs';

const HELP = `Usage: npm run send -- --url URL --key KEY [options]

Sends one Begini webhook delivery (a sample from test/fixtures/events by default),
signed like Begini does: header X-Signature = hex HMAC-SHA512(raw body, API key).

  --url URL           webhook URL (production /webhook/... or test /webhook-test/...)
  --key KEY           the Begini API key configured in the n8n credential
  --type TYPE         event type of the sample payload (default ${DEFAULT_EVENT_TYPE})
                      one of: ${fixtureEventTypes().join(', ')}
  --file FILE         send this JSON file's bytes instead of a sample
  --risk-band X       set event.details.calculated.risk_band in the sample
  --score N           set event.details.calculated.score in the sample ("null" for null)
  --uid UID           set the application uid in the sample
  --twice             send the identical delivery twice (a Begini retry)
  --tampered          change the body after signing it (expect 401)
  --unsigned          send without a signature header (expect 401)
  --wrong-key         sign with a different key (expect 401)
  --header NAME       signature header name (default X-Signature)
  --algorithm ALG     sha512 (default) or sha256
  --allow-non-loopback  allow a URL whose host is not 127.0.0.1/localhost/::1
  --quiet             print only the status lines
  -h, --help`;

const args = parseOptionsOrExit(
	{
		url: { type: 'string' },
		key: { type: 'string' },
		type: { type: 'string' },
		file: { type: 'string' },
		'risk-band': { type: 'string' },
		score: { type: 'string' },
		uid: { type: 'string' },
		twice: { type: 'boolean', default: false },
		tampered: { type: 'boolean', default: false },
		unsigned: { type: 'boolean', default: false },
		'wrong-key': { type: 'boolean', default: false },
		header: { type: 'string', default: 'X-Signature' },
		algorithm: { type: 'string', default: 'sha512' },
		'allow-non-loopback': { type: 'boolean', default: false },
		quiet: { type: 'boolean', default: false },
	},
	HELP,
);
if (!args.url) {
	console.error(`--url is required\n\n${HELP}`);
	process.exit(2);
}
if (!args.key && !args.unsigned) {
	console.error(`--key is required (or --unsigned)\n\n${HELP}`);
	process.exit(2);
}
if (!['sha512', 'sha256'].includes(args.algorithm)) {
	console.error('--algorithm must be sha512 or sha256');
	process.exit(2);
}

let payload;
if (args.file) {
	payload = readFileSync(args.file); // the exact bytes
	if (args['risk-band'] || args.score || args.uid || args.type) {
		payload = customizePayload(JSON.parse(payload.toString('utf8')), {
			type: args.type,
			uid: args.uid,
			riskBand: args['risk-band'],
			score: args.score === undefined ? undefined : args.score === 'null' ? null : Number(args.score),
		});
	}
} else {
	payload = customizePayload(loadFixture(args.type ?? DEFAULT_EVENT_TYPE), {
		uid: args.uid,
		riskBand: args['risk-band'],
		score: args.score === undefined ? undefined : args.score === 'null' ? null : Number(args.score),
	});
}

const delivery = buildDelivery({
	url: args.url,
	key: args.key,
	payload,
	unsigned: args.unsigned,
	tampered: args.tampered,
	wrongKey: args['wrong-key'] ? `${args.key ?? ''}-not-the-right-key` : undefined,
	header: args.header,
	algorithm: args.algorithm,
});

if (!args.quiet) {
	const sigInfo = delivery.signature
		? `${delivery.header}: ${delivery.signature.slice(0, 16)}… (${delivery.algorithm}${args['wrong-key'] ? ', wrong key' : ''})`
		: 'no signature header';
	const eventType = (() => {
		try {
			return JSON.parse(delivery.body.toString('utf8'))?.event?.type;
		} catch {
			return '?';
		}
	})();
	console.log(
		`POST ${delivery.url}\n  event ${eventType}, ${delivery.body.length} bytes, ${sigInfo}${args.tampered ? ', body tampered after signing' : ''}`,
	);
}

let failed = false;
const times = args.twice ? 2 : 1;
for (let i = 1; i <= times; i++) {
	try {
		const res = await sendDelivery(delivery, { allowNonLoopback: args['allow-non-loopback'] });
		console.log(`${times > 1 ? `#${i} ` : ''}HTTP ${res.status}`);
		if (!args.quiet) console.log(res.text.length > 2000 ? `${res.text.slice(0, 2000)}…` : res.text);
		if (res.status >= 500) failed = true;
	} catch (e) {
		console.error(`${times > 1 ? `#${i} ` : ''}request failed: ${e.cause?.message ?? e.message}`);
		failed = true;
	}
}
process.exit(failed ? 1 : 0);
