/**
 * URLs as the Begini nodes show them and as the credential checks them. Pure: no n8n imports.
 */

/**
 * A URL as an error may show it: scheme, host, port and path. A user name, password, query or fragment is
 * left out, since any of them may hold a secret; `?…` says that a query or fragment was there.
 */
export function shownUrl(value: string): string {
	let url: URL;
	try {
		url = new URL(value);
	} catch {
		return '(not a URL)';
	}
	const path = url.pathname === '/' ? '' : url.pathname;
	const omitted = url.search !== '' || url.hash !== '' ? '?…' : '';
	return `${url.protocol}//${url.host}${path}${omitted}`;
}

/** A redirect's `Location` (absolute, or relative to the request's URL) as an absolute URL, or '' when it is none. */
export function absoluteLocation(location: unknown, requestUrl: string): string {
	if (typeof location !== 'string' || location === '') return '';
	try {
		return new URL(location, requestUrl).href;
	} catch {
		return '';
	}
}

/**
 * Whether `url` lies under `baseUrl`: the same scheme, host and port, and a path at or below the base URL's
 * path ("https://proxy.example/begini" covers ".../begini/v1/…", not ".../beginix"). Anything that does not
 * parse is not.
 */
export function isWithinBaseUrl(url: string, baseUrl: string): boolean {
	let target: URL;
	let base: URL;
	try {
		target = new URL(url);
		base = new URL(baseUrl.trim());
	} catch {
		return false;
	}
	if (base.protocol !== 'https:' && base.protocol !== 'http:') return false;
	if (target.origin !== base.origin || target.username !== '' || target.password !== '') return false;
	const basePath = base.pathname.endsWith('/') ? base.pathname : `${base.pathname}/`;
	return target.pathname === base.pathname || target.pathname.startsWith(basePath);
}
