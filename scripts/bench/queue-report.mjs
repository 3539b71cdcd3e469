// Part 5 of the bench in Markdown: queue mode through the front with one and two webhook processes, under
// n8n's defaults and with lazy isolates; what each server used per delivery; and the capacity plan projected
// from it (capacity.mjs).

import { capacityPlan, MAX_RETRY_MEMORY, PLANNED_CORE_SHARE, PLANNED_RATES, PLANNED_RETRY_HORIZON_SECONDS, retryMemoryPlan } from './capacity.mjs';
import { formatBytes, formatNumber, markdownTable } from './markdown.mjs';

/** How the settings part 5 runs under are named. */
export const QUEUE_SETTINGS = { defaults: "n8n's defaults", lazy: 'lazy isolates' };

const processes = (n) => `${n} webhook process${Number(n) === 1 ? '' : 'es'}`;
const cpu = (value) => `${formatNumber(value, value < 10 ? 2 : 1)} ms`;

/** The servers' CPU per delivery and memory, one column per measured topology. */
function usageTable(queue) {
	const columns = Object.entries(queue).flatMap(([setting, byCount]) =>
		Object.entries(byCount).map(([count, measured]) => ({ name: `${QUEUE_SETTINGS[setting]}, ${processes(count)}`, usage: measured.usage })),
	);
	const servers = [...new Set(columns.flatMap((c) => Object.keys(c.usage)))];
	return markdownTable(
		['server', ...columns.map((c) => c.name)],
		servers.map((server) => [server, ...columns.map((c) => (c.usage[server] ? `${cpu(c.usage[server].cpuMsPerDelivery)} CPU, ${formatBytes(c.usage[server].rssBytes)}` : '—'))]),
	);
}

/** The capacity plan from the largest measured topology of a setting, as a table. */
export function capacityTable(byCount) {
	const largest = Math.max(...Object.keys(byCount).map(Number));
	const plan = capacityPlan(byCount[largest].usage);
	const cell = (role, rate) => {
		const { cores, processes: count } = role.at[rate];
		return `${formatNumber(cores, cores < 0.1 ? 3 : cores < 1 ? 2 : 1)} cores${count === undefined ? '' : `, ${count} process${count === 1 ? '' : 'es'}`}`;
	};
	const memory = PLANNED_RATES.map((rate) => retryMemoryPlan(rate));
	return markdownTable(
		['role', 'CPU per delivery (measured)', 'deliveries/s per core (measured)', 'memory per process (measured)', ...PLANNED_RATES.map((r) => `${formatNumber(r)}/s (projected)`)],
		[
			...plan.map((role) => [role.role, cpu(role.cpuMsPerDelivery), formatNumber(role.perCorePerSecond, role.perCorePerSecond < 100 ? 1 : 0), formatBytes(role.rssBytesPerProcess), ...PLANNED_RATES.map((rate) => cell(role, rate))]),
			[`retry memory for copies up to ${formatNumber(PLANNED_RETRY_HORIZON_SECONDS / 60)} min late`, '', '', '', ...memory.map((m) => `${formatNumber(m.entries)} deliveries, ${formatBytes(m.storedBytes)}${m.withinSetting ? '' : ` (the setting's maximum is ${formatNumber(MAX_RETRY_MEMORY)})`}`)],
			['static data PostgreSQL writes for it', '', '', '', ...memory.map((m) => `${formatBytes(m.writtenBytesPerSecond)}/s`)],
		],
	);
}

/** The section of the results file. `loadDetail` renders throughput summaries (report.mjs). */
export function queueSection(queue, loadDetail) {
	const parts = ['## Queue mode, through the front', ''];
	for (const [setting, byCount] of Object.entries(queue)) {
		parts.push(`${QUEUE_SETTINGS[setting]}:`, '', loadDetail(Object.fromEntries(Object.entries(byCount).map(([count, s]) => [processes(count), s]))), '');
	}
	parts.push('What each server used per delivery (CPU over the rounds, from the first request to the last execution, divided by the executions; resident memory after the rounds):', '', usageTable(queue));
	for (const [setting, byCount] of Object.entries(queue)) {
		parts.push(
			'',
			`### Capacity plan, ${QUEUE_SETTINGS[setting]}`,
			'',
			`Projected from the CPU per delivery measured with the most webhook processes above: cores each role needs at each rate, and for n8n's webhook processes and workers how many processes at ${formatNumber(PLANNED_CORE_SHARE * 100)}% of a core each (see docs/running-at-scale.md for the assumptions).`,
			'',
			capacityTable(byCount),
		);
	}
	return parts;
}
