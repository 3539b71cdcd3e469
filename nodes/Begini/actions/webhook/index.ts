/** Webhook: the delivery of Begini's webhooks. A new operation is a module beside this file and a line in `operations`. */

import type { BeginiResource } from '../operation';
import * as sendTestEvent from './deliveryCheck.operation';

export const webhook: BeginiResource = {
	resourceOption: { name: 'Webhook', value: 'webhook' },
	operations: [sendTestEvent],
};
