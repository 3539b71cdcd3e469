/**
 * Begini's answers to Webhook → Send Test Event (`POST /v1/webhooks-management/test`): Begini publishes them
 * all (200, 400, 403, 422, 424, 503), and a 422 reports what the lender's webhook receiver answered.
 */

import type { HttpAnswer, Outcome } from '../../answers';
import { commonFailure, detailText, excerpt, failure, isObject, KEY_HELP, parseJson } from '../../answers';

/** What the item says besides Begini's answer. */
export interface TestEventContext {
	environment: string;
	testedAt: string;
}

const RECEIVER_HINTS: Record<number, string> = {
	401: 'Begini Trigger refuses deliveries whose signature does not match its credential: the Begini API credential in n8n must hold this environment’s API key.',
	403: 'The receiver refused the delivery; if it checks signatures, it must use this environment’s API key.',
	404: 'Nothing active listens at that URL. Activate the workflow and paste its Production URL into Begini (or click "Listen for test event" and use the Test URL).',
	409: 'Begini Trigger answers 409 while an identical delivery is still being stored; Begini retries it.',
	500: 'The receiver failed while handling the delivery; look at its log (in n8n: the workflow’s executions).',
};

/** The test API reports what the receiver answered; a receiver must answer exactly 200. */
function receiverFailure(answer: HttpAnswer, detail: Record<string, unknown>): Outcome {
	const receiverStatus = Number(detail.webhook_receiver_status_code);
	const receiverBody = excerpt(String(detail.webhook_receiver_body_content ?? ''));
	const hint =
		RECEIVER_HINTS[receiverStatus] ??
		(receiverStatus >= 200 && receiverStatus < 300
			? 'Begini counts only HTTP 200 as delivered: answer exactly 200 (not 201 or 204) with a body.'
			: 'Begini counts only HTTP 200 as delivered.');
	return {
		ok: false,
		error: {
			httpCode: String(answer.statusCode),
			message: `Begini reached your webhook, which answered ${Number.isFinite(receiverStatus) ? receiverStatus : 'something other than 200'}${receiverBody ? `: ${receiverBody}` : ''}`,
			description: hint,
			detail,
		},
	};
}

/** The item for a delivered test event, or an error that says what to fix, in Begini or at the receiver. */
export function testEventOutcome(answer: HttpAnswer, context: TestEventContext): Outcome {
	const { statusCode } = answer;
	const json = parseJson(answer);
	if (statusCode === 200 && isObject(json)) {
		return {
			ok: true,
			json: {
				delivered: true,
				receiverStatusCode: typeof json.webhook_receiver_status_code === 'number' ? json.webhook_receiver_status_code : 200,
				detail: detailText(json.detail),
				environment: context.environment,
				testedAt: context.testedAt,
			},
		};
	}
	const common = commonFailure(answer);
	if (common !== null) return common;
	if (statusCode === 400) {
		return failure(answer, 'Begini received no API key (400)', `The credential's API Key is empty. ${KEY_HELP}`);
	}
	if (statusCode === 401 || statusCode === 403) {
		return failure(answer, `Begini refused the API key (${statusCode})`, `The key is not valid or not registered. ${KEY_HELP}`);
	}
	if (statusCode === 422) {
		const detail = isObject(json) ? json.detail : undefined;
		if (isObject(detail)) return receiverFailure(answer, detail);
		return failure(answer, 'Begini reached your webhook, which did not answer 200 (422)', 'Begini counts only HTTP 200 as delivered.');
	}
	if (statusCode === 424) {
		return failure(
			answer,
			'No webhook URL is set for this environment in Begini (424)',
			`Copy the Begini Trigger's Production URL and paste it into Beacon → Deployment Centre → your deployment → the ${context.environment === 'test' ? 'Test' : 'Production'} tab → Webservice Endpoint URL, then save there.`,
		);
	}
	if (statusCode === 503) {
		return failure(
			answer,
			'Begini could not reach your webhook (503)',
			"The Webservice Endpoint URL set in Begini must be reachable from the internet over HTTPS: a localhost or private address, a firewall or a stopped n8n can't be reached.",
		);
	}
	return failure(answer, `Begini answered ${statusCode}`, 'Begini documents 200, 400, 403, 422, 424 and 503 for this request.');
}
