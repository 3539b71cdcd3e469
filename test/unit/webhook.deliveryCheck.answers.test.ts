import { testEventOutcome } from '../../nodes/Begini/actions/webhook/deliveryCheck.answers';
import { failed, json } from '../helpers/answers';

const test = { environment: 'test', testedAt: '2026-04-15T10:00:00.000Z' };

describe('test webhook answers (each documented one)', () => {
	it('200: delivered', () => {
		expect(testEventOutcome(json(200, { webhook_receiver_status_code: 200, detail: 'sent' }), test)).toEqual({
			ok: true,
			json: { delivered: true, receiverStatusCode: 200, detail: 'sent', environment: 'test', testedAt: test.testedAt },
		});
	});

	it.each([
		[400, { detail: 'No Api-key supplied' }, 'Begini received no API key (400): No Api-key supplied', 'API Key is empty'],
		[403, { detail: 'Invalid Api-key' }, 'Begini refused the API key (403): Invalid Api-key', 'different keys'],
		[
			424,
			{ detail: 'Webhooks not set for 65f1, please set in Begini Dashboard' },
			'No webhook URL is set for this environment in Begini (424)',
			'the Test tab → Webservice Endpoint URL',
		],
		[503, { detail: 'Cannot connect to host n8n.example.com' }, 'could not reach your webhook (503): Cannot connect to host n8n.example.com', 'reachable from the internet'],
	])('%i: a clear error', (status, body, message, description) => {
		const error = failed(testEventOutcome(json(status, body), test));
		expect(error.httpCode).toBe(String(status));
		expect(error.message).toContain(message);
		expect(error.description).toContain(description);
	});

	it.each([
		[401, '{"error":"signature mismatch"}', 'which answered 401: {"error":"signature mismatch"}', "this environment’s API key"],
		[404, 'not found', 'which answered 404: not found', 'Activate the workflow'],
		[201, '', 'which answered 201', 'only HTTP 200'],
		[204, '', 'which answered 204', 'not 201 or 204'],
		[500, 'boom', 'which answered 500: boom', 'executions'],
	])('422 with a receiver that answered %i: its status, its body and what to fix', (status, body, message, hint) => {
		const answer = json(422, { detail: { webhook_receiver_status_code: status, webhook_receiver_body_content: body } });
		const error = failed(testEventOutcome(answer, test));
		expect(error.httpCode).toBe('422');
		expect(error.message).toBe(`Begini reached your webhook, ${message}`);
		expect(error.description).toContain(hint);
		expect(error.detail).toEqual({ webhook_receiver_status_code: status, webhook_receiver_body_content: body });
	});

	it('an HTML page instead of JSON', () => {
		const error = failed(testEventOutcome({ statusCode: 502, contentType: 'text/html', text: '<html>Bad gateway</html>' }, test));
		expect(error.message).toBe('The API answered 502 with an HTML page instead of JSON');
	});
});
