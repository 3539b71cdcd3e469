// Running many requests at a bounded concurrency and summarising their latencies, for the load run in
// test/resilience and for the bench (scripts/bench).

/** Runs `task` over `items` with at most `concurrency` at a time; returns the results in order. */
export async function inPool(items, concurrency, task) {
	const results = new Array(items.length);
	let next = 0;
	const worker = async () => {
		while (next < items.length) {
			const index = next++;
			results[index] = await task(items[index], index);
		}
	};
	await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
	return results;
}

/** The p-th percentile of an ascending array. */
export function percentile(sorted, p) {
	return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
