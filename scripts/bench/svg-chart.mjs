// Small line charts as plain SVG text (no dependencies), for the bench's growth chart: panels side by side,
// each with its own axes, ticks and legend.

const PANEL = { width: 340, height: 240, left: 56, right: 12, top: 30, bottom: 58 };
const MIN_LABEL_GAP = 30;
const LEGEND_MARGIN = 8;
const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'];

function escapeXml(text) {
	return String(text).replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]);
}

/** About `count` round tick values covering [min, max]. */
export function niceTicks(min, max, count = 5) {
	if (!(max > min)) return [min];
	const rough = (max - min) / count;
	const magnitude = 10 ** Math.floor(Math.log10(rough));
	const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= rough);
	const ticks = [];
	// from the first tick at or below min to the first at or above max, so that every point is inside
	for (let t = Math.floor(min / step) * step; ; t += step) {
		ticks.push(Number(t.toPrecision(12)));
		if (t >= max - step * 1e-9) return ticks;
	}
}

function tickLabel(value) {
	if (Math.abs(value) >= 1000) return `${Number((value / 1000).toPrecision(3))}k`;
	return String(Number(value.toPrecision(3)));
}

/**
 * One panel: `series` is `[{ name, points: [[x, y], …] }]`. The y axis starts at 0; the x axis spans the
 * points (`logX` for counts that grow by factors). Returns an SVG `<g>` placed at `offsetX`.
 */
export function chartPanel({ title, xLabel, yLabel, series, logX = false }, offsetX = 0) {
	const points = series.flatMap((s) => s.points).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
	const xs = points.map(([x]) => x);
	const scaleX = logX ? (x) => Math.log10(Math.max(x, 1)) : (x) => x;
	const [xMin, xMax] = [Math.min(...xs.map(scaleX)), Math.max(...xs.map(scaleX))];
	const yTicks = niceTicks(0, Math.max(...points.map(([, y]) => y), 1e-9));
	const yMax = yTicks[yTicks.length - 1];
	const plotW = PANEL.width - PANEL.left - PANEL.right;
	const plotH = PANEL.height - PANEL.top - PANEL.bottom;
	const px = (x) => PANEL.left + (xMax > xMin ? ((scaleX(x) - xMin) / (xMax - xMin)) * plotW : plotW / 2);
	const py = (y) => PANEL.top + plotH - (y / yMax) * plotH;
	const xTickValues = logX ? [...new Set(xs)].sort((a, b) => a - b) : niceTicks(Math.min(...xs), Math.max(...xs));

	const parts = [`<g transform="translate(${offsetX},0)" font-family="sans-serif" font-size="11">`];
	parts.push(`<text x="${PANEL.width / 2}" y="16" text-anchor="middle" font-size="13" font-weight="bold">${escapeXml(title)}</text>`);
	for (const t of yTicks) {
		parts.push(`<line x1="${PANEL.left}" x2="${PANEL.left + plotW}" y1="${py(t)}" y2="${py(t)}" stroke="#e5e5e5"/>`);
		parts.push(`<text x="${PANEL.left - 4}" y="${py(t) + 4}" text-anchor="end">${tickLabel(t)}</text>`);
	}
	let lastLabelX = Infinity;
	for (const t of [...xTickValues].reverse()) {
		// from the right, so that the largest value is always labelled; one too close would overlap
		if (lastLabelX - px(t) < MIN_LABEL_GAP) continue;
		lastLabelX = px(t);
		parts.push(`<text x="${px(t)}" y="${PANEL.top + plotH + 14}" text-anchor="middle">${tickLabel(t)}</text>`);
	}
	parts.push(`<rect x="${PANEL.left}" y="${PANEL.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#888"/>`);
	parts.push(`<text x="${PANEL.left + plotW / 2}" y="${PANEL.top + plotH + 30}" text-anchor="middle">${escapeXml(xLabel)}</text>`);
	parts.push(
		`<text transform="translate(14,${PANEL.top + plotH / 2}) rotate(-90)" text-anchor="middle">${escapeXml(yLabel)}</text>`,
	);
	series.forEach((s, i) => {
		const colour = COLOURS[i % COLOURS.length];
		const valid = s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
		const path = valid.map(([x, y]) => `${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(' ');
		parts.push(`<polyline points="${path}" fill="none" stroke="${colour}" stroke-width="2"/>`);
		for (const [x, y] of valid) parts.push(`<circle cx="${px(x).toFixed(1)}" cy="${py(y).toFixed(1)}" r="2.5" fill="${colour}"/>`);
		// two columns across the whole panel, so that a long name fits
		const legendX = LEGEND_MARGIN + (i % 2) * ((PANEL.width - 2 * LEGEND_MARGIN) / 2);
		const legendY = PANEL.top + plotH + 44 + Math.floor(i / 2) * 11;
		parts.push(`<rect x="${legendX}" y="${legendY - 8}" width="10" height="3" fill="${colour}"/>`);
		parts.push(`<text x="${legendX + 13}" y="${legendY - 3}" font-size="9">${escapeXml(s.name)}</text>`);
	});
	parts.push('</g>');
	return parts.join('\n');
}

/** Panels side by side in one SVG document. */
export function chartSvg(panels) {
	const width = PANEL.width * panels.length;
	const height = PANEL.height + 12;
	return [
		`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
		`<rect width="${width}" height="${height}" fill="#fff"/>`,
		...panels.map((panel, i) => chartPanel(panel, i * PANEL.width)),
		'</svg>',
		'',
	].join('\n');
}
