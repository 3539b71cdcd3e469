import { absoluteLocation, isWithinBaseUrl, shownUrl } from '../../nodes/shared/urls';

describe('shownUrl: a URL as errors show it', () => {
	it.each([
		['http://user:hunter2@127.0.0.1:1', 'http://127.0.0.1:1'],
		['https://:hunter2@api.begini.co/v1/x', 'https://api.begini.co/v1/x'],
		['https://api.begini.co/v1/x?api-key=hunter2#frag', 'https://api.begini.co/v1/x?…'],
		['http://127.0.0.1:5690', 'http://127.0.0.1:5690'],
		['not a url', '(not a URL)'],
	])('%s → %s', (value, shown) => expect(shownUrl(value)).toBe(shown));
});

describe('absoluteLocation', () => {
	it('resolves a relative Location against the request URL, and takes an absolute one as it is', () => {
		expect(absoluteLocation('/elsewhere', 'https://api.begini.co/v1/x')).toBe('https://api.begini.co/elsewhere');
		expect(absoluteLocation('http://127.0.0.2:9/v1/x', 'https://api.begini.co/v1/x')).toBe('http://127.0.0.2:9/v1/x');
	});

	it('is empty when there is no Location', () => {
		for (const none of [undefined, '', 42, ['a', 'b']]) expect(absoluteLocation(none, 'https://api.begini.co/')).toBe('');
	});
});

describe('isWithinBaseUrl', () => {
	it.each([
		['https://api.begini.co/v1/sessions-management/tokens', 'https://api.begini.co'],
		['https://api.begini.co:443/v1/x', 'https://api.begini.co/'],
		['https://proxy.example.com/begini/v1/x', 'https://proxy.example.com/begini'],
		['http://127.0.0.1:5690/v1/x', ' http://127.0.0.1:5690 '],
	])('%s is under %s', (url, base) => expect(isWithinBaseUrl(url, base)).toBe(true));

	it.each([
		['http://127.0.0.2:5690/v1/x', 'http://127.0.0.1:5690', 'another host'],
		['http://127.0.0.1:5691/v1/x', 'http://127.0.0.1:5690', 'another port'],
		['http://api.begini.co/v1/x', 'https://api.begini.co', 'a downgrade to http'],
		['https://api.begini.co.example.com/v1/x', 'https://api.begini.co', 'a host that starts like it'],
		['https://proxy.example.com/beginix/v1', 'https://proxy.example.com/begini', 'a path that starts like it'],
		['https://user:pw@api.begini.co/v1/x', 'https://api.begini.co', 'credentials in the URL'],
		['data:text/plain,x', 'data:text/plain,y', 'a scheme that is not http(s)'],
		['not a url', 'https://api.begini.co', 'not a URL'],
	])('%s is not under %s (%s)', (url, base) => expect(isWithinBaseUrl(url, base)).toBe(false));
});
