/**
 * The stored retry memory's format as the README documents it, implemented again for the tests: 24-character
 * records, each a 16-character delivery id and the acceptance time in Unix epoch seconds as 8 lowercase hex
 * digits, sorted by id. Tests read and seed static data with these, never with the node's own code.
 */
export type Remembered = [id: string, acceptedAt: number];

export function decodeRetryMemory(stored: unknown): Remembered[] {
	if (typeof stored !== 'string') throw new Error(`the retry memory is not a string: ${typeof stored}`);
	if (stored.length % 24 !== 0) throw new Error(`the retry memory's length ${stored.length} is not a multiple of 24`);
	return (stored.match(/.{24}/gs) ?? []).map((record) => [record.slice(0, 16), parseInt(record.slice(16), 16)]);
}

export function rememberedIds(stored: unknown): string[] {
	return decodeRetryMemory(stored).map(([id]) => id);
}

export function encodeRetryMemory(entries: Remembered[]): string {
	return [...entries]
		.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
		.map(([id, at]) => id + at.toString(16).padStart(8, '0'))
		.join('');
}
