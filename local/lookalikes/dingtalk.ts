/**
 * A DingTalk robot look-alike on 127.0.0.1 (tests and `npm start`): it checks tokens,
 * signatures and bodies like oapi.dingtalk.com, and enforces the per-chatbot sliding window
 * at the receiver (SPEC §6 measures the limit there), throttling a bot that exceeds it.
 * Signatures are verified with node:crypto directly so the server does not trust the code under test.
 */
import { createHmac } from 'node:crypto';
import { STATUS_CODES, createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { renderInboxPage, wantsHtml } from './inboxPage';

export interface ReceivedMessage {
  token: string;
  at: number /* Date.now() on receipt */;
  title: string;
  text: string;
  signed: boolean;
  body: unknown;
}
export interface ScriptedReply {
  httpStatus?: number;
  errcode?: number;
  errmsg?: string;
  delayMs?: number;
  destroy?: boolean;
}
export interface DingTalkServer {
  prefix: string;
  webhookUrl(token: string): string;
  setSecret(token: string, secret: string): void;
  messages(token?: string): ReceivedMessage[];
  requests(token?: string): number;
  violations(token?: string): number;
  /** Every 130101 reply: window violations plus requests that arrived while throttled. */
  throttledReplies(token?: string): number;
  maxInWindow(token: string, windowMs: number): number;
  failNext(token: string, reply: ScriptedReply, times?: number): void;
  close(): Promise<void>;
}

interface TokenState {
  secret?: string;
  accepted: number[];
  messages: ReceivedMessage[];
  throttledUntil: number;
  requests: number;
  violations: number;
  throttledReplies: number;
  scripts: ScriptedReply[];
}

/** Real DingTalk refuses messages above 20 000 bytes (errcode 460101). */
const MAX_BODY_BYTES = 20_000;
const SIGN_TOLERANCE_MS = 60 * 60 * 1000;

function isMarkdownBody(value: unknown): value is { msgtype: 'markdown'; markdown: { title: string; text: string } } {
  if (typeof value !== 'object' || value === null) return false;
  const { msgtype, markdown } = value as Record<string, unknown>;
  if (msgtype !== 'markdown' || typeof markdown !== 'object' || markdown === null) return false;
  const { title, text } = markdown as Record<string, unknown>;
  return typeof title === 'string' && title !== '' && typeof text === 'string' && text !== '';
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function reply(res: ServerResponse, errcode: number, errmsg: string, httpStatus = 200): void {
  res.writeHead(httpStatus, { 'content-type': 'application/json;charset=UTF-8' });
  res.end(JSON.stringify({ errcode, errmsg }));
}

export async function startDingTalkServer(opts: { limit: number; windowMs: number; throttleMs: number; port?: number; onMessage?: (m: ReceivedMessage) => void }): Promise<DingTalkServer> {
  const tokens = new Map<string, TokenState>();
  const pendingDelays = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  let closed = false;

  const state = (token: string): TokenState => {
    let s = tokens.get(token);
    if (!s) {
      s = { accepted: [], messages: [], throttledUntil: 0, requests: 0, violations: 0, throttledReplies: 0, scripts: [] };
      tokens.set(token, s);
    }
    return s;
  };
  const sum = (token: string | undefined, pick: (s: TokenState) => number): number =>
    token !== undefined ? pick(state(token)) : [...tokens.values()].reduce((n, s) => n + pick(s), 0);

  const delay = (ms: number) =>
    new Promise<void>((resolve) => {
      const entry = {
        timer: setTimeout(() => {
          pendingDelays.delete(entry);
          resolve();
        }, ms),
        resolve,
      };
      pendingDelays.add(entry);
    });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method === 'GET' && url.pathname === '/') {
      // What each bot received, for a person following the README on the local stack.
      const bots = [...tokens.entries()].map(([t, st]) => ({ bot: `****${t.slice(-4)}`, messages: st.messages.map((m) => ({ at: new Date(m.at).toISOString(), title: m.title, text: m.text })) }));
      if (wantsHtml(req.headers.accept)) {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        return void res.end(renderInboxPage({ provider: 'DingTalk', bots }));
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end(JSON.stringify({ provider: 'dingtalk', bots }, null, 2));
    }
    if (url.pathname !== '/robot/send') return reply(res, 404, 'not found', 404);
    if (req.method !== 'POST') return reply(res, 405, 'method not allowed', 405);
    const raw = await readBody(req);
    const token = url.searchParams.get('access_token') ?? '';
    const s = state(token);
    s.requests += 1;

    // Scripted replies come first so tests can inject failures regardless of the bot's state.
    const script = s.scripts.shift();
    if (script) {
      if (script.delayMs) await delay(script.delayMs);
      if (closed) return;
      if (script.destroy) return void req.socket.destroy();
      if (script.errcode !== undefined) return reply(res, script.errcode, script.errmsg ?? 'scripted', script.httpStatus ?? 200);
      if (script.httpStatus !== undefined) {
        // No errcode: answer like a gateway with a non-JSON page (a 200 here is an unparsable reply).
        res.writeHead(script.httpStatus, { 'content-type': 'text/plain' });
        return void res.end(script.errmsg ?? STATUS_CODES[script.httpStatus] ?? 'scripted');
      }
      // Delay only: a slow robot that still handles the message normally afterwards.
    }

    const now = Date.now();
    if (token === '') return reply(res, 300001, 'token is not exist');
    const timestamp = url.searchParams.get('timestamp');
    const sign = url.searchParams.get('sign');
    if (s.secret !== undefined) {
      const expected = createHmac('sha256', s.secret).update(`${timestamp ?? ''}\n${s.secret}`).digest('base64');
      const fresh = timestamp !== null && /^\d+$/.test(timestamp) && Math.abs(now - Number(timestamp)) <= SIGN_TOLERANCE_MS;
      if (!fresh || sign !== expected) return reply(res, 310000, 'sign not match');
    }
    if (raw.length > MAX_BODY_BYTES) return reply(res, 460101, `message too long, exceed ${MAX_BODY_BYTES} bytes`);
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      return reply(res, 40035, 'param error: body is not json');
    }
    if (!isMarkdownBody(body)) return reply(res, 40035, 'param error: expected a markdown message');

    if (now < s.throttledUntil) {
      s.throttledReplies += 1;
      return reply(res, 130101, 'send too fast, exceed 20 times per minute');
    }
    const inWindow = s.accepted.filter((t) => t > now - opts.windowMs).length;
    if (inWindow + 1 > opts.limit) {
      s.violations += 1;
      s.throttledReplies += 1;
      s.throttledUntil = now + opts.throttleMs;
      return reply(res, 130101, 'send too fast, exceed 20 times per minute');
    }
    s.accepted.push(now);
    const signed = timestamp !== null && sign !== null;
    const received = { token, at: now, title: body.markdown.title, text: body.markdown.text, signed, body };
    s.messages.push(received);
    opts.onMessage?.(received);
    reply(res, 0, 'ok');
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) reply(res, -1, `internal: ${String(error)}`, 500);
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const prefix = `http://127.0.0.1:${port}/robot/send`;

  return {
    prefix,
    webhookUrl: (token) => `${prefix}?access_token=${encodeURIComponent(token)}`,
    setSecret: (token, secret) => {
      state(token).secret = secret;
    },
    messages: (token) =>
      token !== undefined ? [...state(token).messages] : [...tokens.values()].flatMap((s) => s.messages).sort((a, b) => a.at - b.at),
    requests: (token) => sum(token, (s) => s.requests),
    violations: (token) => sum(token, (s) => s.violations),
    throttledReplies: (token) => sum(token, (s) => s.throttledReplies),
    maxInWindow: (token, windowMs) => {
      const times = [...state(token).accepted].sort((a, b) => a - b);
      let max = 0;
      for (let start = 0, end = 0; end < times.length; end++) {
        // Same definition as enforcement: times within one window are less than windowMs apart.
        while ((times[end] ?? 0) - (times[start] ?? 0) >= windowMs) start++;
        max = Math.max(max, end - start + 1);
      }
      return max;
    },
    failNext: (token, scripted, times = 1) => {
      for (let i = 0; i < times; i++) state(token).scripts.push({ ...scripted });
    },
    close: async () => {
      closed = true;
      for (const entry of pendingDelays) {
        clearTimeout(entry.timer);
        entry.resolve();
      }
      pendingDelays.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
