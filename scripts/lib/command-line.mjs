import { parseArgs } from 'node:util';

/**
 * Parses a script's options with node:util's parseArgs (strict): prints the help and exits 2 on a wrong
 * option, prints it and exits 0 on --help / -h. Returns the option values; with `allowPositionals`, the
 * words that are not options too, as `positionals` (a command such as `play`).
 */
export function parseOptionsOrExit(options, help, { allowPositionals = false } = {}) {
	let values;
	try {
		const parsed = parseArgs({
			options: { ...options, help: { type: 'boolean', short: 'h', default: false } },
			strict: true,
			allowPositionals,
		});
		values = allowPositionals ? { ...parsed.values, positionals: parsed.positionals } : parsed.values;
	} catch (e) {
		console.error(`${e.message}\n\n${help}`);
		process.exit(2);
	}
	if (values.help) {
		console.log(help);
		process.exit(0);
	}
	return values;
}
