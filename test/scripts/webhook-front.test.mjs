// Unit tests of the front's configuration and access-log reading (scripts/lib/webhook-front.mjs), and of the
// configuration docs/running-at-scale.md shows, which must be the one the tests run. Run by `npm run test:unit`
// with node's test runner; the front itself is tested in real nginx by the resilience suite.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import { deliveriesByUpstream, frontConfigFile, frontHttpConfig, parseAccessLine } from '../../scripts/lib/webhook-front.mjs';

const example = { webhooks: ['127.0.0.1:5679', '127.0.0.1:5680'], main: '127.0.0.1:5678', listen: '127.0.0.1:8080' };

test('the front hashes production webhooks on the signature, over every webhook process, and sends the rest to the main', () => {
	const config = frontHttpConfig(example);
	assert.match(config, /upstream n8n_webhooks \{\n\thash \$http_x_signature consistent;\n\tserver 127\.0\.0\.1:5679;\n\tserver 127\.0\.0\.1:5680;\n\}/);
	assert.match(config, /location \/webhook\/ \{\n\t\tproxy_pass http:\/\/n8n_webhooks;/);
	assert.match(config, /location \/ \{\n\t\tproxy_pass http:\/\/n8n_main;/);
	assert.match(config, /listen 127\.0\.0\.1:8080;/);
	// a POST that may have reached a process is never passed on to another
	assert.match(config, /proxy_next_upstream error timeout;/);
	assert.doesNotMatch(config, /non_idempotent/);
});

test('the harness file wraps that configuration in a throwaway nginx, every file in its folder', () => {
	const file = frontConfigFile({ ...example, dir: '/tmp/front-x' });
	assert.ok(file.includes(frontHttpConfig(example).split('\n').map((l) => (l ? `\t${l}` : l)).join('\n')));
	assert.match(file, /daemon off;/);
	for (const line of file.split('\n').filter((l) => /_path |^pid |access_log /.test(l.trim()))) assert.match(line, /\/tmp\/front-x\//);
});

test('docs/running-at-scale.md shows the configuration the tests run', () => {
	const doc = readFileSync(new URL('../../docs/running-at-scale.md', import.meta.url), 'utf8');
	const block = /```nginx\n([\s\S]*?)```/.exec(doc)?.[1];
	assert.ok(block, 'no nginx block in docs/running-at-scale.md');
	assert.equal(block.trim(), frontHttpConfig(example).trim());
});

test('an access log line: the processes tried, in order, the status and the delivery tag', () => {
	const line = '1796622822.745 "POST /webhook/x/webhook" 200 "127.0.0.1:5679, 127.0.0.1:5680" "502, 200" 65fd27658ff2';
	assert.deepEqual(parseAccessLine(line), {
		at: 1796622822745,
		method: 'POST',
		path: '/webhook/x/webhook',
		status: 200,
		upstreams: ['127.0.0.1:5679', '127.0.0.1:5680'],
		upstreamStatuses: ['502', '200'],
		tag: '65fd27658ff2',
	});
	assert.deepEqual(parseAccessLine('1.0 "GET /" 200 "-" "-" -')?.upstreams, []);
	assert.equal(parseAccessLine('2026/12/07 [warn] something else'), undefined);
});

test('distinct deliveries per process count each tag once, for the process that answered', () => {
	const entries = [
		'1.0 "POST /webhook/x" 200 "a:1" "200" aaaaaaaaaaaa',
		'1.1 "POST /webhook/x" 200 "a:1" "200" aaaaaaaaaaaa',
		'1.2 "POST /webhook/x" 409 "a:1" "409" bbbbbbbbbbbb',
		'1.3 "POST /webhook/x" 200 "a:1, b:2" "502, 200" cccccccccccc',
		'1.4 "GET /webhook/x" 404 "a:1" "404" dddddddddddd',
	].map(parseAccessLine);
	const byUpstream = deliveriesByUpstream(entries);
	assert.deepEqual([...byUpstream.keys()].sort(), ['a:1', 'b:2']);
	assert.deepEqual([...byUpstream.get('a:1')], ['aaaaaaaaaaaa']);
	assert.deepEqual([...byUpstream.get('b:2')], ['cccccccccccc']);
});
