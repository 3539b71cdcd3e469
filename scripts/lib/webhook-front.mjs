// The front of queue mode: nginx from Debian in front of the `n8n webhook` processes, as a load balancer
// stands in front of them in production. Production webhooks (/webhook/…) go to the webhook processes,
// hashed on the delivery's signature, so that every copy of one delivery reaches the same process (whose
// in-process claim turns concurrent copies into one run) while distinct deliveries spread over all of them;
// everything else (test webhooks, the editor, the REST API) goes to the main. docs/running-at-scale.md shows
// the configuration this writes (a unit test keeps the two alike).
//
//   const front = await new WebhookFront({ webhooks: ['127.0.0.1:5679', '127.0.0.1:5680'], main: '127.0.0.1:5678' }).start();
//   front.baseUrl          // http://127.0.0.1:<port>: where Begini sends
//   front.accessLog()      // [{ upstreams: ['127.0.0.1:5679'], status: 200, path, tag }] per request

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { HOST, makeTempUserFolder } from './paths.mjs';
import { findExecutable, findFreePort, isPortInUse } from './processes.mjs';
import { ServerProcess } from './server-process.mjs';

const APT_PACKAGE = 'nginx';

/**
 * The nginx configuration of the front: the `http` block's content, the part that matters for
 * anyone who puts their own nginx in front of n8n (docs/running-at-scale.md).
 * @param {object} o
 * @param {string[]} o.webhooks   the webhook processes' host:port
 * @param {string} o.main         the main's host:port
 * @param {string} o.listen       host:port the front listens on
 */
export function frontHttpConfig({ webhooks, main, listen }) {
	return `# Every copy of a delivery carries the same body, so the same X-Signature: hashing on it sends all
# copies to one webhook process. Distinct deliveries have distinct signatures and spread over all of them.
# (consistent: when a process leaves or joins, only its share of deliveries moves.)
upstream n8n_webhooks {
	hash $http_x_signature consistent;
${webhooks.map((address) => `\tserver ${address};`).join('\n')}
}

upstream n8n_main {
	server ${main};
}

# for the editor's WebSocket (its push connection)
map $http_upgrade $connection_upgrade {
	default upgrade;
	'' close;
}

server {
	listen ${listen};

	# n8n's own limit (N8N_PAYLOAD_SIZE_MAX, 16 MiB); bodies stay in memory, as in n8n: applicants' data is
	# never written to the front's disk
	client_max_body_size 16m;
	client_body_buffer_size 16m;
	proxy_set_header Host $host;
	proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
	proxy_set_header X-Forwarded-Proto $scheme;
	# n8n answers a delivery once it has stored its execution; a stalled database can take minutes
	proxy_read_timeout 300s;
	proxy_connect_timeout 5s;
	# nginx's default, said out loud: a request that could not reach a process (connection refused or
	# timed out) goes to the next; a POST that may have reached one is never sent to a second
	proxy_next_upstream error timeout;

	location /webhook/ {
		proxy_pass http://n8n_webhooks;
	}

	# when no webhook process answered (502, or 504 after proxy_read_timeout): a short JSON reason, not a page
	error_page 502 504 @no_answer;
	location @no_answer {
		default_type application/json;
		return 502 '{"error":"no answer from n8n"}';
	}

	# test webhooks (/webhook-test/…), the editor and the REST API are the main's
	location / {
		proxy_pass http://n8n_main;
		proxy_http_version 1.1;
		proxy_set_header Upgrade $http_upgrade;
		proxy_set_header Connection $connection_upgrade;
	}
}`;
}

/**
 * The whole nginx.conf the harness runs: frontHttpConfig, plus what a throwaway nginx needs (every file in
 * `dir`, in the foreground, one worker) and an access log that names, per request, the webhook process(es)
 * it went to and the first 12 hex digits of its signature: a tag that tells the copies of one delivery apart
 * from other deliveries, and reveals nothing of the key.
 */
export function frontConfigFile({ dir, webhooks, main, listen }) {
	return `# Written by scripts/lib/webhook-front.mjs for one harness run.
daemon off;
master_process on;
worker_processes 1;
pid ${join(dir, 'nginx.pid')};
error_log stderr warn;

events {
	worker_connections 1024;
}

http {
	client_body_temp_path ${join(dir, 'client_body')};
	proxy_temp_path ${join(dir, 'proxy')};
	fastcgi_temp_path ${join(dir, 'fastcgi')};
	uwsgi_temp_path ${join(dir, 'uwsgi')};
	scgi_temp_path ${join(dir, 'scgi')};
	# started as root, nginx's worker runs as nobody, which may not reach this folder (under /root): answers
	# pass through without temporary files (and request bodies stay in memory, see below)
	proxy_max_temp_file_size 0;

	map $http_x_signature $delivery_tag {
		"~^(?<head>[0-9a-fA-F]{12})" $head;
		default -;
	}
	log_format delivery '$msec "$request_method $uri" $status "$upstream_addr" "$upstream_status" $delivery_tag';
	access_log ${join(dir, 'access.log')} delivery;

${indent(frontHttpConfig({ webhooks, main, listen }))}
}
`;
}

function indent(text) {
	return text
		.split('\n')
		.map((line) => (line ? `\t${line}` : line))
		.join('\n');
}

/** nginx's list of upstream attempts ("a, b" for the next upstream; "a : b" across internal redirects). */
const attempts = (text) => (text === '-' || text === '' ? [] : text.split(/\s*,\s*|\s+:\s+/));

/** One access log line as frontConfigFile writes it, or undefined for any other line. */
export function parseAccessLine(line) {
	const match = /^(\S+) "(\S+) (\S+)" (\d{3}) "([^"]*)" "([^"]*)" (\S+)$/.exec(line);
	if (!match) return undefined;
	const [, msec, method, path, status, upstreams, upstreamStatuses, tag] = match;
	return {
		at: Number(msec) * 1000,
		method,
		path,
		status: Number(status),
		upstreams: attempts(upstreams),
		upstreamStatuses: attempts(upstreamStatuses),
		tag: tag === '-' ? undefined : tag,
	};
}

export class WebhookFront extends ServerProcess {
	/**
	 * @param {object} o
	 * @param {string[]} o.webhooks   the webhook processes' host:port
	 * @param {string} o.main         the main's host:port
	 * @param {number} [o.port]       where it listens on 127.0.0.1 (default a free port, chosen by reservePort or start)
	 * @param {boolean} [o.keep]      keep its folder (config, access log) after stop()
	 * @param {string} [o.parent]     where its folder is made (default CACHE_DIR/tmp)
	 */
	constructor({ webhooks, main, port, keep = false, parent, log, readyTimeoutMs = 30_000 }) {
		const bin = findExecutable(['nginx', '/usr/sbin/nginx'], APT_PACKAGE);
		const dir = makeTempUserFolder('front', parent);
		super({ name: 'front (nginx)', logFile: join(dir, 'nginx.log'), log, readyTimeoutMs, throwawayDir: dir, keep });
		this.bin = bin;
		this.dir = dir;
		this.webhooks = webhooks;
		this.main = main;
		this.port = port;
	}

	/** Picks its port before it starts, so that n8n can be told its URL first. */
	async reservePort() {
		this.port ??= await findFreePort();
		return this.port;
	}

	get baseUrl() {
		return `http://${HOST}:${this.port}`;
	}

	get configFile() {
		return join(this.dir, 'nginx.conf');
	}

	get accessLogFile() {
		return join(this.dir, 'access.log');
	}

	/** Writes its configuration and starts nginx in the foreground; resolves once it accepts connections. */
	async start() {
		await this.reservePort();
		for (const temp of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(this.dir, temp), { recursive: true });
		writeFileSync(this.configFile, frontConfigFile({ dir: this.dir, webhooks: this.webhooks, main: this.main, listen: `${HOST}:${this.port}` }));
		// -p: its prefix, so that nothing outside its folder is read or written (Debian's default is /etc/nginx)
		this.spawn(this.bin, ['-p', this.dir, '-c', this.configFile, '-e', 'stderr'], { cwd: this.dir, env: { PATH: process.env.PATH } });
		await this.waitReady(() => isPortInUse(this.port));
		return this;
	}

	/**
	 * Which webhook process the front sends deliveries signed `signature` to: a GET to `url` (a production
	 * URL through the front) with that X-Signature, which the process refuses (n8n serves the path for POST
	 * only) and the access log records. Nothing is delivered.
	 */
	async routeOf(url, signature) {
		const tag = signature.slice(0, 12);
		const isProbe = (entry) => entry.method === 'GET' && entry.tag === tag;
		const before = this.accessLog().filter(isProbe).length;
		const answer = await fetch(url, { method: 'GET', headers: { 'x-signature': signature }, signal: AbortSignal.timeout(10_000) });
		await answer.arrayBuffer();
		return (await this.accessLogWhen(isProbe, before + 1)).at(-1).upstreams.at(-1);
	}

	/** Every request it served so far (parseAccessLine), oldest first. */
	accessLog() {
		let text = '';
		try {
			text = readFileSync(this.accessLogFile, 'utf8');
		} catch {
			return [];
		}
		return text.split('\n').map(parseAccessLine).filter(Boolean);
	}

	/**
	 * The access log's entries that match `predicate`, once there are at least `count` of them: nginx writes a
	 * line once it has sent the whole answer, which its client may have read a moment before.
	 */
	async accessLogWhen(predicate, count, { timeoutMs = 5000 } = {}) {
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			const entries = this.accessLog().filter(predicate);
			if (entries.length >= count) return entries;
			if (Date.now() > deadline) throw new Error(`${this.name}: ${entries.length} of ${count} access log lines after ${timeoutMs} ms`);
			await sleep(20);
		}
	}
}

/**
 * Of access log entries (parseAccessLine), the distinct deliveries (signature tags) each webhook process
 * answered with `status`: Map upstream → Set of tags. A request passed on to a second process (the first
 * refused the connection) counts for the one that answered.
 */
export function deliveriesByUpstream(entries, { status = 200, method = 'POST' } = {}) {
	const byUpstream = new Map();
	for (const entry of entries) {
		if (entry.status !== status || entry.method !== method || !entry.tag) continue;
		const upstream = entry.upstreams.at(-1);
		if (!byUpstream.has(upstream)) byUpstream.set(upstream, new Set());
		byUpstream.get(upstream).add(entry.tag);
	}
	return byUpstream;
}
