// What differs between n8n 1.x and 2.x for installing and starting it (the REST differences are
// next to the calls they change, in n8n-rest.mjs).

import { DEFAULT_N8N_VERSION } from './paths.mjs';

/** The major version of an n8n version string ('1.123.81' → 1). */
export function n8nMajor(version = DEFAULT_N8N_VERSION) {
	const major = Number.parseInt(String(version), 10);
	if (!Number.isInteger(major)) throw new Error(`Not an n8n version: ${version}`);
	return major;
}

/**
 * npm "overrides" for the cache folder n8n is installed into. Every n8n-nodes-base 1.x
 * depends on `xlsx` as a tarball URL on cdn.sheetjs.com, which is not the npm registry
 * (and not reachable here); n8n 2.x itself switched to `@e965/xlsx`, a registry
 * republication of the same SheetJS builds. For 1.x the same SheetJS version (0.20.2)
 * is taken from there. Only n8n's spreadsheet nodes use it.
 */
export function n8nInstallOverrides(version) {
	return n8nMajor(version) < 2 ? { xlsx: 'npm:@e965/xlsx@0.20.2' } : undefined;
}

/**
 * Environment that only one n8n major understands. n8n 1.x refuses to start when
 * N8N_DISABLED_MODULES names a module it does not know (UnknownModuleError from
 * @n8n/backend-common/dist/modules/modules.config.js), and 'mcp-registry' is 2.x-only.
 */
export function n8nMajorEnv(version) {
	if (n8nMajor(version) < 2) return {};
	return { N8N_DISABLED_MODULES: 'mcp-registry' }; // refreshes an MCP server list from api.n8n.io
}

/**
 * The paths that must answer 200 before a main n8n serves its REST API. n8n 2.x:
 * /healthz/readiness. n8n 1.x answers readiness 200 as soon as its DB is migrated
 * (abstract-server.js setupHealthCheck), before server.js has registered /rest/*, so there
 * GET /rest/settings (public) must answer 200 as well.
 */
export function mainReadinessPaths(version) {
	return ['/healthz/readiness', ...(n8nMajor(version) < 2 ? ['/rest/settings'] : [])];
}
