/** A webhook receiver on loopback with scripted replies; records every request. */
import { createServer } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';

export interface Received {
  at: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface Receiver {
  url: string;
  received: Received[];
  /** Replies for the next requests, in order; afterwards 200. */
  script(...replies: { status: number; headers?: Record<string, string>; delayMs?: number }[]): void;
  /** Drops the replies still scripted (back to 200 for everything). */
  unscript(): void;
  close(): Promise<void>;
}

/** `delayMs`: how long every unscripted reply takes (a slower, more realistic endpoint). */
export async function startReceiver(path = '/hook', opts: { delayMs?: number } = {}): Promise<Receiver> {
  const received: Received[] = [];
  const queue: { status: number; headers?: Record<string, string>; delayMs?: number }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ at: Date.now(), headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const reply = queue.shift() ?? { status: 200, delayMs: opts.delayMs ?? 0 };
      setTimeout(() => {
        if (!res.destroyed) {
          res.writeHead(reply.status, reply.headers ?? {});
          res.end('ok');
        }
      }, reply.delayMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}${path}`,
    received,
    script: (...replies) => queue.push(...replies),
    unscript: () => void queue.splice(0),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
