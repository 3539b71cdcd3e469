#!/usr/bin/env node
// `npm start`: a real local n8n with this package installed as a community package,
// an owner login, a Begini API credential and both example workflows, active, and the Begini sandbox
// standing in for Begini's API. One n8n process on SQLite, or with --queue n8n's queue mode (main, worker,
// two webhook processes behind a front, nginx, that sends every copy of a delivery to the same process;
// PostgreSQL, Redis).
//
//   npm start -- [--port 5678] [--queue] [--no-build] [--stage] [--fresh] [--n8n-version 2.41.1]
//                [--api-key KEY] [--environment production|test] [--workflow examples/x.json]
//                [--sandbox-port 5690]
//
// Plain Node.js (>= 20), built-ins only. n8n runs under Node.js 24 from the npm registry, or for
// an n8n 1.x whose "engines" (and isolated-vm's) allow it, under the Node running this script.

import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import {
	CACHE_DIR,
	DEFAULT_N8N_VERSION,
	ROOT,
	diskUsage,
	isPortInUse,
	packPackage,
	startTopology,
} from './lib/n8n-harness.mjs';
import { BeginiSandbox, DEFAULT_ENVIRONMENTS, SANDBOX_DEFAULT_PORT } from './lib/begini-sandbox.mjs';
import { parseOptionsOrExit } from './lib/command-line.mjs';

const HELP = `Usage: npm start -- [options]

Builds and packs this package, installs it into a local n8n the way n8n installs a
community package, starts n8n on 127.0.0.1 with an owner account, a "Begini API"
credential and both example workflows (active), starts the Begini sandbox as the
credential's API, and prints how to send an application and play the applicant.
Ctrl-C stops n8n and the sandbox (and with --queue PostgreSQL and Redis).

  --port N            n8n port on 127.0.0.1 (default 5678; the task runner uses N+1)
  --queue             queue mode: main on --port, a worker and two webhook processes on free
                      ports behind a front (nginx) whose URL is the Production URL, PostgreSQL
                      and Redis (apt-get install postgresql redis-server nginx); a new, empty
                      set-up each time
  --no-build          pack dist/ as it is, without \`npm run build\`
  --stage             build and pack a copy of the sources in .cache/stage (leaves dist/ alone)
  --fresh             start from an empty n8n (deletes .cache/start/<port>)
  --reset-workflow    re-import the workflow even if it exists (drops its edits and executions)
  --n8n-version V     n8n version (default ${DEFAULT_N8N_VERSION}; env N8N_VERSION)
  --api-key KEY       the API key to put in the credential (default: a demo key)
  --environment ENV   credential environment: production (default) or test
  --workflow FILE     workflow with the Begini Trigger (default examples/begini-risk-routing.json)
  --intake-workflow FILE  workflow with the Begini node (default examples/begini-application-intake.json)
  --sandbox-port N    Begini sandbox port (default ${SANDBOX_DEFAULT_PORT}; a free one if that is taken)
  --verbose           print n8n's log as it runs (it is always written to the log file)
  -h, --help`;

const args = parseOptionsOrExit(
	{
		port: { type: 'string', default: process.env.N8N_PORT ?? '5678' },
		queue: { type: 'boolean', default: false },
		build: { type: 'boolean', default: true },
		'no-build': { type: 'boolean', default: false },
		stage: { type: 'boolean', default: false },
		fresh: { type: 'boolean', default: false },
		'reset-workflow': { type: 'boolean', default: false },
		'n8n-version': { type: 'string', default: DEFAULT_N8N_VERSION },
		'api-key': { type: 'string', default: process.env.BEGINI_API_KEY ?? 'demo-begini-api-key-0123456789abcdef' },
		environment: { type: 'string', default: 'production' },
		workflow: { type: 'string', default: join(ROOT, 'examples', 'begini-risk-routing.json') },
		'intake-workflow': { type: 'string', default: join(ROOT, 'examples', 'begini-application-intake.json') },
		'sandbox-port': { type: 'string', default: String(SANDBOX_DEFAULT_PORT) },
		verbose: { type: 'boolean', default: false },
	},
	HELP,
);
const port = Number(args.port);
if (!Number.isInteger(port) || port < 1 || port > 65534) {
	console.error(`--port must be a port number, got ${args.port}`);
	process.exit(2);
}
if (!['production', 'test'].includes(args.environment)) {
	console.error('--environment must be production or test');
	process.exit(2);
}

const say = (msg) => console.log(`[start] ${msg}`);
const t0 = Date.now();
const secs = (ms) => `${(ms / 1000).toFixed(1)}s`;
// paths inside the repository relative to it, others (N8N_HARNESS_CACHE_DIR) as they are
const shown = (path) => (relative(ROOT, path).startsWith('..') ? path : relative(ROOT, path));
// a line about our node or the network guard; not a stack frame, and not just a path that has the
// package's name in it (the default cache folder is ~/.cache/n8n-nodes-begini)
const aboutUs = (line, more = '') =>
	new RegExp(`begini|loopback-guard${more}`, 'i').test(line.replaceAll(CACHE_DIR, '')) && !/^\s+at /.test(line);

let topology;
let sandbox;
let stopping = false;
async function shutdown(code = 0) {
	if (stopping) return;
	stopping = true;
	await sandbox?.stop();
	if (topology) {
		say(`stopping n8n${topology.kind === 'queue' ? ', the front, PostgreSQL and Redis' : ''}…`);
		await topology.stop();
		say('stopped.');
	}
	process.exit(code);
}
process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));
process.on('SIGHUP', () => void shutdown(0));

try {
	// 1. our package
	const build = args.build && !args['no-build'];
	const tarball = await packPackage({ build: build && !args.stage, stage: args.stage, log: say });
	const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));

	// 2. single: a user folder that survives restarts (DB, login, executions), unless --fresh;
	//    queue: a new folder (and database) that is removed on Ctrl-C
	const userFolder = args.queue ? undefined : join(CACHE_DIR, 'start', String(port));
	if (userFolder && args.fresh && existsSync(userFolder)) {
		say(`--fresh: deleting ${shown(userFolder)}`);
		rmSync(userFolder, { recursive: true, force: true });
	}

	// 3. pinned n8n (installed into the cache the first time) with the package, started
	const kind = args.queue ? 'queue' : 'single';
	say(`starting n8n@${args['n8n-version']} (${kind === 'queue' ? 'queue mode' : 'one process, SQLite'}), main on http://127.0.0.1:${port}…`);
	// after startup, echo n8n's lines about our node, executions and errors (everything with --verbose)
	let echo = args.verbose;
	topology = await startTopology({
		kind,
		tarball,
		port,
		folder: userFolder,
		version: args['n8n-version'],
		log: say,
		onLog: (line, name) => {
			if (args.verbose || (echo && aboutUs(line, '|error|warn|execution'))) console.log(`  ${name} | ${line}`);
		},
	});
	const n8n = topology.main;
	for (const p of topology.n8nProcesses) say(`${p.name} ready on ${p.healthUrl} in ${secs(p.startupMs)} (log: ${shown(p.logFile)})`);
	say(`up in ${secs(topology.startupMs)}`);

	// 4. the Begini sandbox: Begini's API on loopback, with the credential's key for its environment
	const wantedPort = Number(args['sandbox-port']);
	sandbox = await new BeginiSandbox({
		port: (await isPortInUse(wantedPort)) ? 0 : wantedPort,
		environments: { [args.environment]: { apiKey: args['api-key'] } },
		log: (line) => console.log(`  sandbox | ${line}`),
	}).start();
	const integrationId = DEFAULT_ENVIRONMENTS[args.environment].integrationId;
	say(`Begini sandbox on ${sandbox.url}`);

	// 5. owner, credential, workflows
	const owner = await n8n.setupOwner();

	// our node must have loaded
	const types = await n8n.loadedNodeTypes();
	const ours = types.filter((t) => t.startsWith(`${pkg.name}.`));
	if (ours.length === 0) {
		const problems = n8n.logMatching(new RegExp(`${pkg.name}|community|Failed to load|error`, 'i')).slice(-20);
		say(`WARNING: n8n did not load any node of ${pkg.name}. Relevant log lines:\n${problems.join('\n')}`);
	} else {
		say(`n8n loaded ${ours.join(', ')}`);
	}
	const credential = await n8n.ensureCredential({
		name: 'Begini API',
		type: 'beginiApi',
		data: {
			apiKey: args['api-key'],
			previousApiKey: '',
			environment: args.environment,
			integrationId,
			baseUrl: sandbox.url,
			sessionAuthentication: 'apiKey',
		},
	});
	// replace: false keeps the user's edits and executions from earlier runs
	const activate = (file) =>
		topology.activateWorkflow(resolve(file), { credentials: { beginiApi: credential }, replace: args['reset-workflow'] });
	const wf = await activate(args.workflow);
	const intake = await activate(args['intake-workflow']);
	// the Production URL is where Begini sends: through the front in queue mode
	const url = wf.deliveryUrl;
	// what a lender does in Begini's Deployment Centre: the trigger's Production URL as the webhook URL
	if (url) sandbox.configure(args.environment, { webhookUrl: url });
	const intakeUrl = intake.deliveryUrl;
	const sandboxOption = sandbox.port === SANDBOX_DEFAULT_PORT ? '' : ` --sandbox ${sandbox.url}`;

	const warnings = n8n.lines.filter((line) => aboutUs(line)).slice(-10);
	const send = (url, extra = '') => `npm run send -- --url ${url} --key ${args['api-key']}${extra}`;
	console.log(`
────────────────────────────────────────────────────────────────────────────
 n8n ${args['n8n-version']} with ${pkg.name}@${pkg.version} is running${kind === 'queue' ? ' in queue mode' : ''}     (up in ${secs(Date.now() - t0)})

 Editor:            ${n8n.editorUrl}
 Login:             ${owner.email}  /  ${owner.password}
 Workflow:          ${n8n.editorUrl}/workflow/${wf.id}  ("${wf.name}", ${wf.active ? 'active' : 'NOT active'})
 Intake workflow:   ${n8n.editorUrl}/workflow/${intake.id}  ("${intake.name}", ${intake.active ? 'active' : 'NOT active'})
 Credential:        "${credential.name}" (beginiApi, ${args.environment}), API key: ${args['api-key']}
 Begini sandbox:    ${sandbox.url}  (the credential's API Base URL; webhooks go to ${url ?? '-'})
 Production URL:    ${url ?? '-'}${kind === 'queue' ? '   (through the front)' : ''}
 Test URL:          ${wf.testWebhookUrl ?? '-'}   (after "Listen for test event" in the editor)
${kind === 'queue' ? queueSummary(wf) : ''}
 The whole loop: 1. an application arrives, a session is created, the answer is the link to send:
   curl -s -X POST ${intakeUrl ?? '<intake URL>'} -H 'content-type: application/json' -d '{"applicationId":"APP2026000123","email":"applicant@example.com"}'
 2. play the applicant (the sandbox then sends signed webhooks to the Begini Trigger):
   npm run sandbox -- play${sandboxOption} --uid APP2026000123 --complete --band B --score 712
   npm run sandbox -- play${sandboxOption} --uid APP2026000123 --expire        (or --cancel, --abandon)
   (one uid, one assessment: use a new applicationId for the next run)

 Or send a signed sample event straight to the trigger (psychometric_score.complete, band B → "Approve"):
   ${url ? send(url) : '(the workflow has no Begini Trigger)'}
 Other cases:
   ${url ? send(url, ' --type application.expired') : ''}
   ${url ? send(url, ' --type ios_score.complete      # band D → Decline') : ''}
   ${url ? send(url, ' --twice                          # a retry: 2nd is a duplicate') : ''}
   ${url ? send(url, ' --tampered                       # expect 401') : ''}

 n8n data: ${shown(topology.folder)}   (${kind === 'queue' ? 'removed on Ctrl-C' : '--fresh to start over'}; cache ${(diskUsage(CACHE_DIR) / 1e9).toFixed(1)} GB)
 Press Ctrl-C to stop.
────────────────────────────────────────────────────────────────────────────`);
	if (warnings.length) console.log(`Log lines worth a look:\n${warnings.join('\n')}\n`);
	echo = true;

	// print each new execution of the workflow as it finishes
	const known = new Set((await n8n.listExecutions(wf.id)).map((e) => e.id));
	const poll = setInterval(async () => {
		if (stopping || n8n.exited) return clearInterval(poll);
		try {
			for (const e of (await n8n.listExecutions(wf.id, { limit: 20 })).reverse()) {
				if (known.has(e.id) || ['new', 'running', 'waiting'].includes(e.status)) continue;
				known.add(e.id);
				const x = await n8n.getExecution(e.id);
				const item = x.triggerItems[0] ?? {};
				const branch = Object.keys(Object.values(x.branches)[0] ?? {}).join(', ') || '-';
				console.log(
					`  execution ${x.id} (${x.mode}) ${x.status}: ${item.eventType ?? '?'} uid=${item.uid ?? '?'} band=${item.riskBand ?? '-'} score=${item.score ?? '-'} → ${branch}   [${x.nodesRun.join(' → ')}]`,
				);
				if (x.error) console.log(`    error: ${x.error.message ?? JSON.stringify(x.error).slice(0, 300)}`);
			}
		} catch {
			// n8n restarting or stopping: try again next tick
		}
	}, 1500);

	// stay up until Ctrl-C or one of the processes dies
	const servers = [...topology.n8nProcesses, topology.front, topology.database, topology.redis].filter((s) => s?.exitPromise);
	const [gone, exited] = await Promise.race(servers.map((s) => s.exitPromise.then((x) => [s, x])));
	if (!stopping) {
		console.error(`${gone.name} exited unexpectedly (${JSON.stringify(exited)}). Last log lines:\n${gone.logTail(40)}`);
		await shutdown(1);
	}
} catch (e) {
	console.error(`\n[start] failed: ${e.message}${e.cause ? ` (${e.cause.code ?? e.cause.message ?? e.cause})` : ''}`);
	await shutdown(1);
}

/** The queue-mode lines of the summary: who does what, on which port, and where a workflow's deliveries can go. */
function queueSummary(workflow) {
	const { workers, webhooks } = topology.processes;
	const lines = [
		` Queue mode:        front ${topology.front.baseUrl} (nginx: /webhook/… to the webhook processes by X-Signature, the rest to the main; config ${shown(topology.front.configFile)})`,
		`                    main ${topology.main.baseUrl} (editor, REST, test webhooks; no production webhooks)`,
		...webhooks.map((p, i) => `                    ${p.name} ${p.baseUrl} (production webhooks; past the front: ${workflow.productionUrls[i] ?? '-'})`),
		...workers.map((p) => `                    ${p.name} health ${p.healthUrl}/healthz (runs the executions)`),
		`                    PostgreSQL 127.0.0.1:${topology.database.port}, Redis 127.0.0.1:${topology.redis.port}`,
	];
	return `${lines.join('\n')}\n`;
}
