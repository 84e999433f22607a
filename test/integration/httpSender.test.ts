/** httpSender against real node:http servers on 127.0.0.1 — no mocks. */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LookupAddress } from 'node:dns';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createGuardedLookup, createHttpSender } from '../../shared/adapters/http/httpSender';
import type { HttpSender, LookupAll, SendResult } from '../../shared/adapters/http/httpSender';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

interface TestServer { port: number; hits: number; connections: number; received: string[]; close(): Promise<void> }

/** Each server counts requests and TCP connections, so "received nothing" is observable. */
async function startServer(handler: Handler): Promise<TestServer> {
  const state = { hits: 0, connections: 0, received: [] as string[] };
  const server: Server = createServer((req, res) => {
    state.hits += 1;
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      state.received.push(body);
      handler(req, res);
    });
  });
  server.on('connection', () => (state.connections += 1));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    get hits() { return state.hits; },
    get connections() { return state.connections; },
    get received() { return state.received; },
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const servers: TestServer[] = [];
const senders: HttpSender[] = [];

async function server(handler: Handler): Promise<TestServer> {
  const started = await startServer(handler);
  servers.push(started);
  return started;
}

function sender(opts: Parameters<typeof createHttpSender>[0]): HttpSender {
  const created = createHttpSender(opts);
  senders.push(created);
  return created;
}

afterEach(async () => {
  await Promise.all(senders.splice(0).map((s) => s.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const post = (s: HttpSender, url: string, timeoutMs = 2_000) =>
  s.post({ url, body: '{"msg":"hi"}', headers: { 'content-type': 'application/json' }, timeoutMs });

function expectError(result: SendResult, error: string): Extract<SendResult, { kind: 'error' }> {
  if (result.kind !== 'error') throw new Error(`expected error ${error}, got status ${result.status}`);
  expect(result.error).toBe(error);
  return result;
}

const loopbackLookup: LookupAll = async () => [{ address: '127.0.0.1', family: 4 }];

let closedPort: number;
beforeAll(async () => {
  const temp = await startServer(() => undefined);
  closedPort = temp.port;
  await temp.close();
});

describe('responses', () => {
  it('returns a 2xx with body, lower-cased and joined headers', async () => {
    const srv = await server((_req, res) => {
      res.setHeader('X-Multi', ['a', 'b']);
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok — ✓');
    });
    const result = await post(sender({ allowPrivate: true }), `http://127.0.0.1:${srv.port}/hook?x=1`);
    expect(result).toMatchObject({ kind: 'response', status: 200, body: 'ok — ✓', truncated: false });
    if (result.kind !== 'response') return;
    expect(result.headers['content-type']).toBe('text/plain');
    expect(result.headers['x-multi']).toBe('a, b');
    expect(srv.received).toEqual(['{"msg":"hi"}']);
    expect(Math.round(result.durationMs * 10)).toBeCloseTo(result.durationMs * 10, 6);
  });

  it('returns a 500 as a response', async () => {
    const srv = await server((_req, res) => res.writeHead(500).end('boom'));
    const result = await post(sender({ allowPrivate: true }), `http://127.0.0.1:${srv.port}/`);
    expect(result).toMatchObject({ kind: 'response', status: 500, body: 'boom' });
  });

  it('never follows a redirect', async () => {
    const elsewhere = await server((_req, res) => res.writeHead(200).end('followed'));
    const srv = await server((_req, res) => res.writeHead(302, { Location: `http://127.0.0.1:${elsewhere.port}/` }).end());
    const result = await post(sender({ allowPrivate: true }), `http://127.0.0.1:${srv.port}/`);
    expect(result).toMatchObject({ kind: 'response', status: 302 });
    if (result.kind === 'response') expect(result.headers.location).toBe(`http://127.0.0.1:${elsewhere.port}/`);
    expect(elsewhere.connections).toBe(0);
  });

  it('truncates a 1 MiB body at the cap', async () => {
    const srv = await server((_req, res) => res.writeHead(200).end(Buffer.alloc(1024 * 1024, 'a')));
    const result = await post(sender({ allowPrivate: true, maxResponseBytes: 1000 }), `http://127.0.0.1:${srv.port}/`);
    expect(result).toMatchObject({ kind: 'response', status: 200, truncated: true });
    if (result.kind === 'response') expect(result.body).toBe('a'.repeat(1000));
  });

  it('frames the body with content-length from its bytes, replacing caller framing headers', async () => {
    const seen: { length?: string; encoding?: string }[] = [];
    const srv = await server((req, res) => {
      seen.push({ length: req.headers['content-length'], encoding: req.headers['transfer-encoding'] });
      res.writeHead(204).end();
    });
    const body = '{"msg":"héllo ✓"}';
    const result = await sender({ allowPrivate: true }).post({
      url: `http://127.0.0.1:${srv.port}/`,
      body,
      headers: { 'Content-Length': '1', 'Transfer-Encoding': 'chunked' },
      timeoutMs: 2_000,
    });
    expect(result).toMatchObject({ kind: 'response', status: 204 });
    expect(seen).toEqual([{ length: String(Buffer.byteLength(body)), encoding: undefined }]);
    expect(srv.received).toEqual([body]);
  });

  it('reuses keep-alive sockets across sequential posts', async () => {
    const srv = await server((_req, res) => res.writeHead(204).end());
    const s = sender({ allowPrivate: true });
    for (let i = 0; i < 20; i += 1) {
      expect(await post(s, `http://127.0.0.1:${srv.port}/`)).toMatchObject({ kind: 'response', status: 204 });
    }
    expect(srv.hits).toBe(20);
    expect(srv.connections).toBeLessThanOrEqual(2);
  });
});

describe('timeouts and connection failures', () => {
  it('times out on slow headers within about timeoutMs', async () => {
    const srv = await server(() => undefined); // never answers
    const result = expectError(await post(sender({ allowPrivate: true }), `http://127.0.0.1:${srv.port}/`, 300), 'timeout');
    expect(result.durationMs).toBeGreaterThanOrEqual(290);
    expect(result.durationMs).toBeLessThan(1_000);
  });

  it('times out on a body that stalls after the headers', async () => {
    const srv = await server((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('partial');
    });
    const result = expectError(await post(sender({ allowPrivate: true }), `http://127.0.0.1:${srv.port}/`, 300), 'timeout');
    expect(result.durationMs).toBeLessThan(1_000);
  });

  it('holds the deadline while connecting (a lookup that never answers)', async () => {
    const hang: LookupAll = () => new Promise(() => undefined);
    const s = sender({ allowPrivate: false, lookup: hang });
    const result = expectError(await post(s, 'http://stuck.test/', 200), 'timeout');
    expect(result.durationMs).toBeLessThan(1_000);
    // close() must not wait for the still-pending connect (connectTimeoutMs, 5 s by default).
    const closing = performance.now();
    await s.close();
    expect(performance.now() - closing).toBeLessThan(500);
  });

  it('bounds the connect phase by connectTimeoutMs', async () => {
    const hang: LookupAll = () => new Promise(() => undefined);
    const s = sender({ allowPrivate: false, lookup: hang, connectTimeoutMs: 100 });
    const result = expectError(await post(s, 'http://stuck.test/', 2_000), 'timeout');
    expect(result.message).toBe('connect timed out after 100 ms');
    expect(result.durationMs).toBeLessThan(1_000);
  });

  it('reports a refused connection', async () => {
    const result = expectError(await post(sender({ allowPrivate: true }), `http://127.0.0.1:${closedPort}/`), 'connection');
    expect(result.message).toBe('connection refused');
  });

  it('reports a socket destroyed by the server', async () => {
    const srv = await server((req) => req.socket.destroy());
    expectError(await post(sender({ allowPrivate: true }), `http://127.0.0.1:${srv.port}/`), 'connection');
  });
});

describe('target guard (allowPrivate=false)', () => {
  it('blocks IP-literal loopback before connecting', async () => {
    const srv = await server((_req, res) => res.end('x'));
    const result = expectError(await post(sender({ allowPrivate: false }), `http://127.0.0.1:${srv.port}/`), 'blocked');
    expect(result.message).toBe('target address not allowed (loopback)');
    expect(srv.connections).toBe(0);
    expectError(await post(sender({ allowPrivate: false }), `http://[::1]:${srv.port}/`), 'blocked');
  });

  it('blocks localhost names', async () => {
    const srv = await server((_req, res) => res.end('x'));
    expectError(await post(sender({ allowPrivate: false }), `http://localhost:${srv.port}/`), 'blocked');
    expectError(await post(sender({ allowPrivate: false }), `http://api.localhost:${srv.port}/`), 'blocked');
    expect(srv.connections).toBe(0);
  });

  it('blocks a name that resolves to loopback at connect time (DNS rebinding)', async () => {
    const srv = await server((_req, res) => res.end('x'));
    const result = expectError(
      await post(sender({ allowPrivate: false, lookup: loopbackLookup }), `http://rebind.test:${srv.port}/`),
      'blocked',
    );
    expect(result.message).toBe('target address not allowed (loopback)');
    expect(srv.connections).toBe(0);
  });

  it('blocks when any answer is private, whatever the order', async () => {
    const srv = await server((_req, res) => res.end('x'));
    for (const order of [['93.184.216.34', '127.0.0.1'], ['127.0.0.1', '93.184.216.34']]) {
      const lookup: LookupAll = async () => order.map((address) => ({ address, family: 4 as const }));
      expectError(await post(sender({ allowPrivate: false, lookup }), `http://mixed.test:${srv.port}/`), 'blocked');
    }
    expect(srv.connections).toBe(0);
  });

  it('lets the same name through when private targets are allowed', async () => {
    const srv = await server((_req, res) => res.writeHead(200).end('private ok'));
    const result = await post(sender({ allowPrivate: true, lookup: loopbackLookup }), `http://rebind.test:${srv.port}/`);
    expect(result).toMatchObject({ kind: 'response', status: 200, body: 'private ok' });
  });
});

describe('guarded lookup callback shapes', () => {
  const call = (all: boolean, allowPrivate: boolean, answers: { address: string; family: 4 | 6 }[], family = 0) =>
    new Promise<{ err: NodeJS.ErrnoException | null; address: string | LookupAddress[]; family?: number }>((resolve) => {
      createGuardedLookup(async () => answers, allowPrivate)('h.test', { all, family }, (err, address, fam) =>
        resolve({ err, address, family: fam }),
      );
    });
  const both: { address: string; family: 4 | 6 }[] = [{ address: '2606:4700::1', family: 6 }, { address: '93.184.216.34', family: 4 }];

  it('answers a list for all:true and (address, family) otherwise', async () => {
    expect(await call(true, false, both)).toMatchObject({ err: null, address: both });
    expect(await call(false, false, both)).toMatchObject({ err: null, address: '2606:4700::1', family: 6 });
    expect(await call(false, false, both, 4)).toMatchObject({ err: null, address: '93.184.216.34', family: 4 });
  });

  it('refuses with ERR_TARGET_BLOCKED in both shapes', async () => {
    const bad = [...both, { address: '10.0.0.1', family: 4 as const }];
    expect((await call(true, false, bad)).err?.code).toBe('ERR_TARGET_BLOCKED');
    expect((await call(false, false, bad)).err?.code).toBe('ERR_TARGET_BLOCKED');
    expect((await call(false, true, bad)).err).toBeNull();
  });
});

describe('dns, invalid URLs and message hygiene', () => {
  const failingLookup: LookupAll = async () => {
    throw Object.assign(new Error('getaddrinfo ENOTFOUND nowhere.test'), { code: 'ENOTFOUND' });
  };

  it('reports dns failures', async () => {
    const result = expectError(await post(sender({ allowPrivate: false, lookup: failingLookup }), 'http://nowhere.test/'), 'dns');
    expect(result.message).not.toContain('nowhere.test');
  });

  it('rejects non-http and unparsable URLs', async () => {
    const s = sender({ allowPrivate: true });
    expectError(await post(s, 'ftp://x'), 'invalid-url');
    expectError(await post(s, 'not a url'), 'invalid-url');
  });

  it('rejects header names and values Node will not send as invalid-url', async () => {
    const srv = await server((_req, res) => res.end('x'));
    const s = sender({ allowPrivate: true });
    const url = `http://127.0.0.1:${srv.port}/`;
    const badName = await s.post({ url, body: '{}', headers: { 'bad header': 'v' }, timeoutMs: 2_000 });
    const badValue = await s.post({ url, body: '{}', headers: { 'x-token': 'SECRET\r\nx-injected: 1' }, timeoutMs: 2_000 });
    expect(expectError(badName, 'invalid-url').message).toBe('request could not be built (invalid header or URL)');
    expect(JSON.stringify(expectError(badValue, 'invalid-url'))).not.toContain('SECRET');
    expect(srv.connections).toBe(0);
  });

  it('never puts the URL, query or headers in messages', async () => {
    const slow = await server(() => undefined);
    const query = '/robot/send?access_token=SECRET';
    const results = await Promise.all([
      post(sender({ allowPrivate: true }), `http://127.0.0.1:${closedPort}${query}`),
      post(sender({ allowPrivate: false }), `http://127.0.0.1:${closedPort}${query}`),
      post(sender({ allowPrivate: false, lookup: failingLookup }), `https://oapi.test${query}`),
      post(sender({ allowPrivate: true }), `http://127.0.0.1:${slow.port}${query}`, 200),
      post(sender({ allowPrivate: true, lookup: loopbackLookup }), `http://hook.test:${closedPort}${query}`),
    ]);
    expect(results.map((r) => r.kind === 'error' && r.error)).toEqual(['connection', 'blocked', 'dns', 'timeout', 'connection']);
    for (const result of results) {
      const text = JSON.stringify(result);
      expect(text).not.toContain('SECRET');
      expect(text).not.toContain('access_token');
      expect(text).not.toContain('hook.test');
      expect(text).not.toContain(String(closedPort));
    }
  });
});
