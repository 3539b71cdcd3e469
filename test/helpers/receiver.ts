import { createServer } from 'http';
import type { IncomingHttpHeaders, Server } from 'http';
import type { AddressInfo } from 'net';

/**
 * A loopback HTTP server that answers every request with what `answer` says (or never, with `hang`), and
 * records what it received: a lender's webhook receiver, or something that is not Begini's API.
 */
export interface Received {
	method: string;
	path: string;
	headers: IncomingHttpHeaders;
	body: Buffer;
}

export interface Reply {
	status: number;
	body?: string;
	contentType?: string;
	/** More response headers, such as a redirect's Location. */
	headers?: Record<string, string>;
	hang?: boolean;
}

export class Receiver {
	readonly received: Received[] = [];
	url = '';
	private server?: Server;

	constructor(private answer: (request: Received, index: number) => Reply = () => ({ status: 200, body: '{"ok":true}' })) {}

	answerWith(answer: (request: Received, index: number) => Reply): void {
		this.answer = answer;
	}

	/** Listens on `host`, a loopback address: 127.0.0.1 unless a test needs a second host. */
	async start(host = '127.0.0.1'): Promise<this> {
		this.server = createServer(async (req, res) => {
			const chunks: Buffer[] = [];
			for await (const chunk of req) chunks.push(chunk as Buffer);
			const request = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) };
			this.received.push(request);
			const reply = this.answer(request, this.received.length - 1);
			if (reply.hang) return;
			res.writeHead(reply.status, { 'content-type': reply.contentType ?? 'application/json', ...reply.headers });
			res.end(reply.body ?? '');
		});
		await new Promise<void>((resolve) => this.server!.listen(0, host, resolve));
		this.url = `http://${host}:${(this.server!.address() as AddressInfo).port}`;
		return this;
	}

	async stop(): Promise<void> {
		this.server?.closeAllConnections();
		await new Promise<void>((resolve) => this.server?.close(() => resolve()));
	}
}
