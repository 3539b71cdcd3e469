// CPU time and memory of the harness' servers, from Linux's /proc: each server runs in a process group of its
// own (see server-process.mjs), so a server's usage is its group's: n8n with its task runner, PostgreSQL with
// every backend, nginx with its worker.

import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc's CPU times (USER_HZ, 100 on Linux everywhere). */
const TICKS_PER_SECOND = 100;
const PAGE_BYTES = 4096;

/**
 * One /proc/<pid>/stat line: the process group, CPU ms (its own, and its reaped children's: a PostgreSQL backend
 * that ended counts in the postmaster's) and resident bytes. Fields after the command name, which may hold
 * spaces and parentheses, are counted from its closing parenthesis.
 */
export function parseStat(line) {
	const fields = line.slice(line.lastIndexOf(')') + 2).split(' ');
	const ticks = (i) => Number(fields[i]);
	return {
		pgid: Number(fields[2]),
		cpuMs: ((ticks(11) + ticks(12) + ticks(13) + ticks(14)) * 1000) / TICKS_PER_SECOND,
		rssBytes: Number(fields[21]) * PAGE_BYTES,
	};
}

/** Every live process' stat (parseStat), read once. */
function allStats() {
	const stats = [];
	for (const name of readdirSync('/proc')) {
		if (!/^\d+$/.test(name)) continue;
		try {
			stats.push(parseStat(readFileSync(`/proc/${name}/stat`, 'utf8')));
		} catch {
			// the process ended between the listing and the read
		}
	}
	return stats;
}

/**
 * CPU ms and resident bytes of each named server so far: { [name]: { cpuMs, rssBytes } } for servers
 * ({ name: ServerProcess }) that are running.
 */
export function usageOf(servers) {
	const stats = allStats();
	const usage = {};
	for (const [name, server] of Object.entries(servers)) {
		const pgid = server?.running ? server.child.pid : undefined;
		if (pgid === undefined) continue;
		const group = stats.filter((s) => s.pgid === pgid);
		usage[name] = { cpuMs: group.reduce((sum, s) => sum + s.cpuMs, 0), rssBytes: group.reduce((sum, s) => sum + s.rssBytes, 0) };
	}
	return usage;
}

/** CPU ms each server used between two usageOf readings, per delivery; and its memory at the second. */
export function perDelivery(before, after, deliveries) {
	return Object.fromEntries(
		Object.entries(after).map(([name, now]) => [name, { cpuMsPerDelivery: (now.cpuMs - (before[name]?.cpuMs ?? 0)) / deliveries, rssBytes: now.rssBytes }]),
	);
}
