// What both end-to-end suites need: a real n8n with one packed community package installed, and failures
// that carry the tail of n8n's log.
import { rmSync } from 'node:fs';

import {
	ensureN8n,
	findFreePort,
	installPackageTarball,
	makeTempUserFolder,
	startN8n,
} from '../../scripts/lib/n8n-harness.mjs';

/** Installs the tarball as a community package into a new n8n user folder, starts n8n, creates the owner. */
export async function startN8nWithPackage(tarball, folderPrefix) {
	await ensureN8n();
	const userFolder = makeTempUserFolder(folderPrefix);
	await installPackageTarball(tarball, userFolder);
	const n8n = await startN8n({ port: await findFreePort(), userFolder });
	await n8n.setupOwner();
	return { n8n, userFolder };
}

/** Stops n8n and removes its folder (kept with E2E_KEEP=1). */
export async function stopN8n(started) {
	await started?.n8n.stop();
	if (started?.userFolder && process.env.E2E_KEEP !== '1') {
		rmSync(started.userFolder, { recursive: true, force: true });
	}
}

/** Runs a test body; a failure's message gets the last 40 lines of n8n's log. */
export async function withN8nLog(n8n, fn) {
	try {
		return await fn();
	} catch (e) {
		if (n8n) e.message += `\n\n----- n8n log (last 40 lines) -----\n${n8n.logTail(40)}`;
		throw e;
	}
}
