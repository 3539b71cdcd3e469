import { spawn } from 'child_process';
import type { ChildProcess } from 'child_process';
import { join } from 'path';
import { createInterface } from 'readline';

/**
 * The Begini sandbox (scripts/sandbox.mjs) as a child process, as `npm run sandbox` starts it, on a free
 * port with short retry delays, and its control API.
 */
export class SandboxProcess {
	url = '';
	readonly lines: string[] = [];

	private constructor(private readonly child: ChildProcess) {}

	static async start(extraArgs: string[] = []): Promise<SandboxProcess> {
		const script = join(__dirname, '..', '..', 'scripts', 'sandbox.mjs');
		const child = spawn(process.execPath, [script, '--port', '0', '--fast', '--ready-json', ...extraArgs], {
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		const sandbox = new SandboxProcess(child);
		const lines = createInterface({ input: child.stdout! });
		sandbox.url = await new Promise<string>((resolve, reject) => {
			child.once('exit', (code) => reject(new Error(`the sandbox exited (${code}): ${sandbox.lines.join('\n')}`)));
			lines.on('line', (line) => {
				sandbox.lines.push(line);
				if (line.startsWith('{"url"')) resolve((JSON.parse(line) as { url: string }).url);
			});
		});
		child.stderr!.on('data', (chunk: Buffer) => sandbox.lines.push(chunk.toString('utf8')));
		return sandbox;
	}

	async control<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<{ status: number; json: T }> {
		const response = await fetch(`${this.url}${path}`, {
			method,
			headers: { 'content-type': 'application/json' },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		return { status: response.status, json: (await response.json()) as T };
	}

	async setWebhook(environment: 'production' | 'test', webhookUrl: string, more: Record<string, unknown> = {}) {
		const answer = await this.control('PUT', `/sandbox/environments/${environment}`, { webhookUrl, ...more });
		if (answer.status !== 200) throw new Error(`configure failed: ${JSON.stringify(answer.json)}`);
	}

	async state(): Promise<SandboxState> {
		return (await this.control<SandboxState>('GET', '/sandbox')).json;
	}

	async stop(): Promise<void> {
		if (this.child.exitCode !== null) return;
		const exited = new Promise((resolve) => this.child.once('exit', resolve));
		this.child.kill('SIGTERM');
		await exited;
	}
}

export interface SandboxDelivery {
	id: number;
	uid: string;
	eventType: string;
	status: 'pending' | 'delivered' | 'failed' | 'stopped';
	attempts: Array<{ status?: number; error?: string; lost?: boolean; body?: string }>;
}

export interface SandboxState {
	url: string;
	environments: Array<{ name: string; integrationId: string; webhookUrl: string; sessionAuthentication: string }>;
	sessions: Array<{ uid: string; environment: string; state: string; tokensIssued: number; createdAt: string }>;
	deliveries: SandboxDelivery[];
}

/** The sandbox's default demo credentials (scripts/lib/begini-sandbox.mjs). */
export const SANDBOX = {
	production: { apiKey: 'sandbox-production-key-0123456789abcdef', integrationId: '65f1c2a9e4b0a1d2c3e4f5a6' },
	test: { apiKey: 'sandbox-test-key-0123456789abcdef', integrationId: '65f1c2a9e4b0a1d2c3e4f5a7' },
};
