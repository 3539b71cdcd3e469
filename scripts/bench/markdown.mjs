// Formatting bench figures as Markdown: numbers rounded for reading, and tables.

/** A number with `digits` decimals, '–' when missing; thousands separated for large values. */
export function formatNumber(value, digits = 0) {
	if (value === undefined || value === null || !Number.isFinite(value)) return '–';
	return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** A ratio as `0.93×` (`digits` decimals). */
export function formatRatio(value, digits = 2) {
	return Number.isFinite(value) ? `${value.toFixed(digits)}×` : '–';
}

/** Bytes as B, kB or MB (1 kB = 1,000 bytes). */
export function formatBytes(bytes) {
	if (!Number.isFinite(bytes)) return '–';
	if (bytes < 1000) return `${Math.round(bytes)} B`;
	if (bytes < 1_000_000) return `${(bytes / 1000).toFixed(1)} kB`;
	return `${(bytes / 1_000_000).toFixed(2)} MB`;
}

/** A Markdown table; a cell's `|` is escaped so that it cannot split the row. */
export function markdownTable(headers, rows) {
	const cell = (value) => String(value ?? '').replaceAll('|', '\\|');
	const line = (cells) => `| ${cells.map(cell).join(' | ')} |`;
	return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n');
}
