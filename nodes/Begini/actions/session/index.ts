/** Session: Begini's assessment sessions. A new operation is a module beside this file and a line in `operations`. */

import type { BeginiResource } from '../operation';
import * as create from './create.operation';

export const session: BeginiResource = {
	resourceOption: { name: 'Session', value: 'session' },
	operations: [create],
};
