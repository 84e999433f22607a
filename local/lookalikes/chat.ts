/**
 * The engine of the Feishu, WeCom and Slack look-alikes: one loopback HTTP server per
 * provider that finds the bot in the URL, checks the signature and the body the way the
 * provider documents, enforces every rate window of each bot at the receiver (answering
 * with the provider's own throttle reply), and records what each bot showed. It shares no
 * code with the service: checks are written from the providers' documentation.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { renderInboxPage, wantsHtml } from './inboxPage';

export interface Window {
  limit: number;
  windowMs: number;
}

export interface Received {
  bot: string;
  at: number;
  title: string;
  /** The text as the group would see it (paragraphs or sections joined by newlines). */
  text: string;
  bytes: number;
  signed: boolean;
  body: unknown;
}

export interface Answer {
  status: number;
  body: string;
  headers?: Record<string, string>;
}

/** What a provider look-alike declares. */
export interface ProviderRules {
  name: string;
  /** As people write it, for the look-alike's page ("Feishu", "WeCom", "Slack"). */
  displayName: string;
  /** The path prefix every webhook URL starts with (the allow-list prefix is origin + this). */
  pathPrefix: string;
  /** The bot named by a request, or undefined (→ `unknownBot`). */
  botOf(url: URL): string | undefined;
  webhookPath(bot: string): string;
  /** A problem with the request, answered as the provider does; else what the group sees. */
  check(raw: Buffer, bot: string, secret: string | undefined, now: number): Answer | { title: string; text: string; signed: boolean; body: unknown };
  ok(): Answer;
  throttled(windowMs: number): Answer;
  unknownBot(): Answer;
}

export interface ChatLookalike {
  name: string;
  prefix: string;
  webhookUrl(bot: string): string;
  setSecret(bot: string, secret: string): void;
  messages(bot?: string): Received[];
  requests(bot?: string): number;
  violations(bot?: string): number;
  maxInWindow(bot: string, windowMs: number): number;
  /** The next `times` requests to `bot` get this answer instead (for error-path tests). */
  failNext(bot: string, answer: Answer, times?: number): void;
  close(): Promise<void>;
}

interface BotState {
  secret?: string;
  accepted: number[];
  messages: Received[];
  throttledUntil: number;
  requests: number;
  violations: number;
  scripts: Answer[];
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function send(res: ServerResponse, answer: Answer): void {
  res.writeHead(answer.status, { 'content-type': answer.body.startsWith('{') ? 'application/json' : 'text/plain', ...answer.headers });
  res.end(answer.body);
}

export async function startChatLookalike(
  rules: ProviderRules,
  opts: { windows: Window[]; throttleMs: number; port?: number; onMessage?: (m: Received) => void },
): Promise<ChatLookalike> {
  const bots = new Map<string, BotState>();
  const state = (bot: string): BotState => {
    let s = bots.get(bot);
    if (!s) {
      s = { accepted: [], messages: [], throttledUntil: 0, requests: 0, violations: 0, scripts: [] };
      bots.set(bot, s);
    }
    return s;
  };
  const sum = (bot: string | undefined, pick: (s: BotState) => number) =>
    bot !== undefined ? pick(state(bot)) : [...bots.values()].reduce((n, s) => n + pick(s), 0);
  const longest = Math.max(...opts.windows.map((w) => w.windowMs));

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method === 'GET' && url.pathname === '/') {
      // What each bot received, for a person following the README on the local stack.
      const all = [...bots.entries()].map(([bot, s]) => ({ bot: `****${bot.slice(-4)}`, messages: s.messages.map(({ at, title, text }) => ({ at: new Date(at).toISOString(), title, text })) }));
      if (wantsHtml(req.headers.accept)) return send(res, { status: 200, body: renderInboxPage({ provider: rules.displayName, bots: all }), headers: { 'content-type': 'text/html; charset=utf-8' } });
      return send(res, { status: 200, body: JSON.stringify({ provider: rules.name, bots: all }, null, 2) });
    }
    if (!url.pathname.startsWith(rules.pathPrefix) || req.method !== 'POST') return send(res, { status: 404, body: 'not found' });
    const raw = await readBody(req);
    const bot = rules.botOf(url);
    if (bot === undefined) return send(res, rules.unknownBot());
    const s = state(bot);
    s.requests += 1;
    const script = s.scripts.shift();
    if (script) return send(res, script);
    const now = Date.now();
    const checked = rules.check(raw, bot, s.secret, now);
    if ('status' in checked) return send(res, checked);
    if (now < s.throttledUntil) return send(res, rules.throttled(longest));
    const full = opts.windows.find((w) => s.accepted.filter((t) => t > now - w.windowMs).length + 1 > w.limit);
    if (full) {
      s.violations += 1;
      s.throttledUntil = now + opts.throttleMs;
      return send(res, rules.throttled(full.windowMs));
    }
    s.accepted.push(now);
    const received: Received = { bot, at: now, bytes: raw.length, ...checked };
    s.messages.push(received);
    opts.onMessage?.(received);
    send(res, rules.ok());
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) send(res, { status: 500, body: `internal: ${String(error)}` });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    name: rules.name,
    prefix: `${origin}${rules.pathPrefix}`,
    webhookUrl: (bot) => `${origin}${rules.webhookPath(bot)}`,
    setSecret: (bot, secret) => {
      state(bot).secret = secret;
    },
    messages: (bot) => (bot !== undefined ? [...state(bot).messages] : [...bots.values()].flatMap((s) => s.messages).sort((a, b) => a.at - b.at)),
    requests: (bot) => sum(bot, (s) => s.requests),
    violations: (bot) => sum(bot, (s) => s.violations),
    maxInWindow: (bot, windowMs) => {
      const times = [...state(bot).accepted].sort((a, b) => a - b);
      let max = 0;
      for (let start = 0, end = 0; end < times.length; end++) {
        while ((times[end] ?? 0) - (times[start] ?? 0) >= windowMs) start++;
        max = Math.max(max, end - start + 1);
      }
      return max;
    },
    failNext: (bot, answer, times = 1) => {
      for (let i = 0; i < times; i++) state(bot).scripts.push({ ...answer });
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export function parseJson(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
