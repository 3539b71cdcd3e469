// How big a queue-mode deployment must be for a given delivery rate, projected from what part 5 of the bench
// measured on this machine: CPU time per delivery for each role. The projection assumes that a role's work
// grows in proportion to the rate (no batching, no contention that grows faster) and that processes of a role
// share the load evenly (the front hashes distinct deliveries evenly over the webhook processes; Redis hands
// jobs to whichever worker is free).

/**
 * The share of a core to plan per n8n process: its JavaScript runs on one thread, and a process kept busier
 * than this queues requests (latency grows long before throughput stops).
 */
export const PLANNED_CORE_SHARE = 0.7;
/** The delivery rates the plan is made for, per second. */
export const PLANNED_RATES = [10, 100, 1000];
/**
 * How long after the original a copy may come: Begini does not publish its retry schedule; the sandbox resends
 * 5 s, 30 s, 2 min and 10 min after the first attempt (about 13 minutes in all). The plan allows 15 minutes.
 */
export const PLANNED_RETRY_HORIZON_SECONDS = 15 * 60;
/** Bytes per remembered delivery in the stored retry memory (a 16-character id and 8 hex digits of time). */
const RECORD_BYTES = 24;
/** The trigger's largest Retry Memory (Deliveries) setting. */
export const MAX_RETRY_MEMORY = 100_000;

/** The roles of a queue-mode deployment, and which measured servers (usage's keys) make up each. */
const ROLES = [
	{ role: 'front (nginx)', servers: (name) => name === 'front' },
	{ role: 'webhook processes', servers: (name) => name.startsWith('webhook-'), nodeProcesses: true },
	{ role: 'workers', servers: (name) => name.startsWith('worker-'), nodeProcesses: true },
	{ role: 'main', servers: (name) => name === 'main' },
	{ role: 'PostgreSQL', servers: (name) => name === 'postgres' },
	{ role: 'Redis', servers: (name) => name === 'redis' },
];

/**
 * From one measured topology's usage ({ [server]: { cpuMsPerDelivery, rssBytes } }, see process-usage.mjs):
 * per role, the measured CPU ms per delivery, deliveries per second one core gives it, its memory, and for each
 * planned rate the cores it needs and, for n8n's webhook processes and workers, how many processes.
 */
export function capacityPlan(usage, rates = PLANNED_RATES) {
	return ROLES.map(({ role, servers, nodeProcesses }) => {
		const measured = Object.entries(usage).filter(([name]) => servers(name));
		const cpuMsPerDelivery = measured.reduce((sum, [, u]) => sum + u.cpuMsPerDelivery, 0);
		const rssBytesPerProcess = measured.length ? Math.max(...measured.map(([, u]) => u.rssBytes)) : Number.NaN;
		const at = Object.fromEntries(
			rates.map((rate) => {
				const cores = (rate * cpuMsPerDelivery) / 1000;
				const processes = nodeProcesses ? Math.max(1, Math.ceil(cores / PLANNED_CORE_SHARE)) : undefined;
				return [rate, { cores, processes }];
			}),
		);
		return { role, cpuMsPerDelivery, perCorePerSecond: 1000 / cpuMsPerDelivery, rssBytesPerProcess, at };
	});
}

/**
 * What the retry memory must hold at `rate` deliveries per second for copies up to `horizonSeconds` late to be
 * recognised, and what that costs: n8n saves a workflow's static data whole with every accepted delivery, so
 * the bytes written per second grow with the square of the rate.
 */
export function retryMemoryPlan(rate, horizonSeconds = PLANNED_RETRY_HORIZON_SECONDS) {
	const entries = Math.ceil(rate * horizonSeconds);
	const storedBytes = entries * RECORD_BYTES;
	return { entries, storedBytes, writtenBytesPerSecond: rate * storedBytes, withinSetting: entries <= MAX_RETRY_MEMORY };
}
