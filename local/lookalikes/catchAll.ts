/**
 * An HTTP catch-all receiver for `npm start`: accepts any POST on any path (2xx), keeps
 * the last 200 requests, logs one line per request and lists them at GET /.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CaughtRequest {
  at: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

export interface CatchAll {
  url: string;
  received(): CaughtRequest[];
  close(): Promise<void>;
}

const KEEP = 200;
const SHOWN_HEADERS = ['content-type', 'user-agent', 'webhook-id', 'webhook-timestamp', 'webhook-signature'];

export async function startCatchAll(opts: { port?: number; onRequest?: (r: CaughtRequest) => void } = {}): Promise<CatchAll> {
  const received: CaughtRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      if (req.method === 'GET' && path === '/') {
        res.writeHead(200, { 'content-type': 'application/json' });
        return void res.end(JSON.stringify({ received }, null, 2));
      }
      const headers = Object.fromEntries(SHOWN_HEADERS.flatMap((h) => (typeof req.headers[h] === 'string' ? [[h, req.headers[h]]] : [])));
      const caught = { at: new Date().toISOString(), path, headers, body: Buffer.concat(chunks).toString('utf8').slice(0, 64 * 1024) };
      received.push(caught);
      if (received.length > KEEP) received.shift();
      opts.onRequest?.(caught);
      res.writeHead(204);
      res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received: () => [...received],
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
