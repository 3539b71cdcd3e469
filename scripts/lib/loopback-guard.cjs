'use strict';
// Preloaded into the n8n process by the harness (NODE_OPTIONS=--require <this file>).
// Keeps the local n8n off the network: every DNS lookup of a non-loopback name and
// every TCP connection to a non-loopback address fails at once (ENOTFOUND /
// ECONNREFUSED) instead of going out, and each blocked host is logged once:
//   [loopback-guard] blocked outbound connection to api.n8n.io:443
// Set N8N_HARNESS_ALLOW_NETWORK=1 to disable the guard.

if (process.env.N8N_HARNESS_ALLOW_NETWORK !== '1') {
	const dns = require('node:dns');
	const net = require('node:net');

	const reported = new Set();
	const report = (what, host) => {
		const key = `${what} ${host}`;
		if (reported.has(key)) return;
		reported.add(key);
		process.stderr.write(`[loopback-guard] blocked ${what} ${host}\n`);
	};

	const isLoopbackHost = (host) => {
		if (host === undefined || host === null || host === '') return true; // defaults to localhost
		let h = String(host).toLowerCase();
		if (h.startsWith('[') && h.endsWith(']')) h = h.slice(1, -1);
		if (h === 'localhost' || h.endsWith('.localhost')) return true;
		if (h === '::1' || h === '0:0:0:0:0:0:0:1' || h === '::ffff:127.0.0.1') return true;
		if (/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h)) return true;
		if (h === '0.0.0.0' || h === '::') return true; // connecting to these reaches this machine
		return false;
	};

	const lookupError = (hostname) => {
		const err = new Error(`getaddrinfo ENOTFOUND ${hostname} (blocked by the n8n harness loopback guard)`);
		err.code = 'ENOTFOUND';
		err.errno = -3008;
		err.syscall = 'getaddrinfo';
		err.hostname = hostname;
		return err;
	};

	const origLookup = dns.lookup;
	dns.lookup = function guardedLookup(hostname, options, callback) {
		if (!isLoopbackHost(hostname) && net.isIP(String(hostname)) === 0) {
			const cb = typeof options === 'function' ? options : callback;
			report('DNS lookup of', hostname);
			process.nextTick(() => cb(lookupError(hostname)));
			return {};
		}
		return origLookup.apply(this, arguments);
	};

	const origPromiseLookup = dns.promises.lookup;
	dns.promises.lookup = async function guardedPromiseLookup(hostname, options) {
		if (!isLoopbackHost(hostname) && net.isIP(String(hostname)) === 0) {
			report('DNS lookup of', hostname);
			throw lookupError(hostname);
		}
		return origPromiseLookup.call(this, hostname, options);
	};

	const origConnect = net.Socket.prototype.connect;
	net.Socket.prototype.connect = function guardedConnect(...args) {
		let host;
		let port;
		let path;
		const first = Array.isArray(args[0]) ? args[0][0] : args[0]; // internal normalized args
		if (first !== null && typeof first === 'object') {
			host = first.host;
			port = first.port;
			path = first.path;
		} else if (typeof first === 'string' && Number.isNaN(Number(first))) {
			path = first; // unix socket / pipe
		} else {
			port = first;
			host = typeof args[1] === 'string' ? args[1] : undefined;
		}
		if (!path && !isLoopbackHost(host)) {
			report('outbound connection to', `${host}:${port}`);
			const err = new Error(
				`connect ECONNREFUSED ${host}:${port} (blocked by the n8n harness loopback guard)`,
			);
			err.code = 'ECONNREFUSED';
			err.syscall = 'connect';
			err.address = host;
			err.port = port;
			process.nextTick(() => this.destroy(err));
			return this;
		}
		return origConnect.apply(this, args);
	};
}
