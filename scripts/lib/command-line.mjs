import { parseArgs } from 'node:util';

/**
 * Parses a script's options with node:util's parseArgs (strict): prints the help and exits 2 on a wrong
 * option, prints it and exits 0 on --help / -h. Returns the option values.
 */
export function parseOptionsOrExit(options, help) {
	let values;
	try {
		values = parseArgs({
			options: { ...options, help: { type: 'boolean', short: 'h', default: false } },
			strict: true,
		}).values;
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
