// Summaries of repeated measurements, for the bench: medians of rounds and ratios against a baseline
// measured in the same run (the only figures that mean something on a shared, noisy machine).

import { percentile } from '../lib/load-helpers.mjs';

/** The median of numbers (any order); NaN for none. */
export function median(values) {
	if (values.length === 0) return Number.NaN;
	const sorted = [...values].sort((a, b) => a - b);
	const middle = Math.floor(sorted.length / 2);
	return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** p50 and p99 of latencies (any order). */
export function latencySummary(latencies) {
	const sorted = [...latencies].sort((a, b) => a - b);
	return { p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
}

/** `value / baseline`, or NaN when either is missing or the baseline is zero. */
export function ratio(value, baseline) {
	if (!Number.isFinite(value) || !Number.isFinite(baseline) || baseline === 0) return Number.NaN;
	return value / baseline;
}

/**
 * Whether a ratio meets a target: `{ atLeast }` (throughput) or `{ atMost }` (cost, latency).
 * Returns 'met', 'missed' or 'n/a' (no figure).
 */
export function verdict(value, { atLeast, atMost }) {
	if (!Number.isFinite(value)) return 'n/a';
	if (atLeast !== undefined && value < atLeast) return 'missed';
	if (atMost !== undefined && value > atMost) return 'missed';
	return 'met';
}
