/**
 * Outbound HTTP POST for webhook / DingTalk delivery, hardened for user-chosen URLs:
 * redirects are never followed, the address actually connected to is re-checked (DNS rebinding),
 * the whole exchange is bounded in time and the response body in size, and error messages never
 * echo the URL (its query string may carry an access_token) or the request.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import type { LookupAddress, LookupOptions } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { Agent } from 'undici';
import type { Dispatcher } from 'undici';
import { connectTimeAddressAllowed } from '../net/targetGuard';
import { classifyAddress, isLocalhostName, literalAddressOf } from '../../domain/targetPolicy';
import { describeFailure, TargetBlockedError } from './sendErrors';

export interface SendRequest { url: string; body: string; headers: Record<string, string>; timeoutMs: number }
export type SendResult =
  | { kind: 'response'; status: number; headers: Record<string, string>; body: string; truncated: boolean; durationMs: number }
  | { kind: 'error'; error: 'timeout' | 'connection' | 'blocked' | 'dns' | 'invalid-url'; message: string; durationMs: number };
export interface HttpSender { post(request: SendRequest): Promise<SendResult>; close(): Promise<void> }
export type LookupAll = (hostname: string) => Promise<{ address: string; family: 4 | 6 }[]>;

export interface HttpSenderOptions {
  allowPrivate: boolean;
  maxResponseBytes?: number;
  /** Agent-wide; each request is additionally bounded by its own timeoutMs, whichever is shorter. */
  connectTimeoutMs?: number;
  lookup?: LookupAll;
  keepAliveTimeoutMs?: number;
  connections?: number;
}

export const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024;
const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
const DEFAULT_KEEP_ALIVE_TIMEOUT_MS = 4_000;
const DEFAULT_CONNECTIONS = 32;

async function systemLookup(hostname: string): Promise<{ address: string; family: 4 | 6 }[]> {
  // verbatim: keep the resolver's order, so the address we judge is the one Node would try first.
  const answers = await dnsLookup(hostname, { all: true, verbatim: true });
  return answers.map((answer) => ({ address: answer.address, family: answer.family === 6 ? 6 : 4 }));
}

function wantedFamily(family: LookupOptions['family']): 4 | 6 | undefined {
  if (family === 4 || family === 'IPv4') return 4;
  if (family === 6 || family === 'IPv6') return 6;
  return undefined;
}

function notFound(): NodeJS.ErrnoException {
  return Object.assign(new Error('no usable address'), { code: 'ENOTFOUND' });
}

/**
 * The `lookup` handed to net/tls.connect through undici's `connect` options. Node calls it for every
 * name (never for IP literals) right before connecting, so what it returns is what gets connected to.
 * Every answer is judged, not only the first: with autoSelectFamily (default since Node 20) Node
 * asks with `all: true` and may try any of them, and rebinding attacks mix good and bad answers.
 */
export function createGuardedLookup(resolve: LookupAll, allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    const decide = async (): Promise<{ first: LookupAddress; usable: LookupAddress[] }> => {
      const answers = await resolve(hostname);
      const bad = answers.find((answer) => !connectTimeAddressAllowed(answer.address, allowPrivate));
      if (bad !== undefined) {
        const verdict = classifyAddress(bad.address);
        throw new TargetBlockedError(verdict.allowed ? 'not allowed' : verdict.reason);
      }
      const family = wantedFamily(options.family);
      const usable = family === undefined ? answers : answers.filter((answer) => answer.family === family);
      const [first] = usable;
      // Node's all:true path indexes addresses[0] on an empty list, so "nothing" must be an error.
      if (first === undefined) throw notFound();
      return { first, usable };
    };
    decide().then(
      ({ first, usable }) => {
        // The two callback shapes are not interchangeable: all:true wants the list, otherwise
        // (address, family); handing a list to the latter fails with ERR_INVALID_IP_ADDRESS.
        if (options.all === true) callback(null, usable);
        else callback(null, first.address, first.family);
      },
      (error: unknown) => {
        // Node ignores the address argument once err is set; the typings just insist on one.
        callback(error instanceof Error ? error : Object.assign(new Error('lookup failed'), { code: 'ENOTFOUND' }), '');
      },
    );
  };
}

type Target = { url: URL } | { error: 'invalid-url' | 'blocked'; message: string };

/** IP literals and localhost names never reach the lookup hook, so they are judged up front. */
function parseTarget(raw: string, allowPrivate: boolean): Target {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { error: 'invalid-url', message: 'URL could not be parsed' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { error: 'invalid-url', message: 'only http and https URLs are supported' };
  }
  if (allowPrivate) return { url };
  const literal = literalAddressOf(url.hostname);
  if (literal !== undefined) {
    const verdict = classifyAddress(literal);
    if (!verdict.allowed) return { error: 'blocked', message: `target address not allowed (${verdict.reason})` };
  } else if (isLocalhostName(url.hostname)) {
    return { error: 'blocked', message: 'target address not allowed (loopback)' };
  }
  return { url };
}

function flattenHeaders(raw: Dispatcher.ResponseData['headers']): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

async function readCapped(body: Dispatcher.ResponseData['body'], maxBytes: number): Promise<{ text: string; truncated: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  let truncated = false;
  for await (const chunk of body) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    const room = maxBytes - size;
    if (buf.length > room) {
      chunks.push(buf.subarray(0, room));
      size = maxBytes;
      truncated = true;
      break;
    }
    chunks.push(buf);
    size += buf.length;
  }
  // Leaving the loop early already destroys the stream; being explicit also covers a future refactor.
  // The socket is then closed rather than reused, which is the price of not draining a big body.
  if (truncated) body.destroy();
  // Buffer#toString replaces invalid or cut-off UTF-8 sequences with U+FFFD instead of throwing.
  return { text: Buffer.concat(chunks, size).toString('utf8'), truncated };
}

const TIMED_OUT = Symbol('timedOut');

export function createHttpSender(opts: HttpSenderOptions): HttpSender {
  const maxBytes = opts.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const connectTimeoutMs = opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  // No redirect interceptor is composed, so undici (v7 has no maxRedirections) never follows a 3xx.
  const agent = new Agent({
    connections: opts.connections ?? DEFAULT_CONNECTIONS,
    keepAliveTimeout: opts.keepAliveTimeoutMs ?? DEFAULT_KEEP_ALIVE_TIMEOUT_MS,
    connect: { timeout: connectTimeoutMs, lookup: createGuardedLookup(opts.lookup ?? systemLookup, opts.allowPrivate) },
  });

  async function exchange(url: URL, request: SendRequest, signal: AbortSignal) {
    const response = await agent.request({
      origin: url.origin,
      path: `${url.pathname}${url.search}`,
      method: 'POST',
      headers: request.headers,
      body: request.body,
      signal,
      // undici's own timers as a second line; ours below is what bounds the whole exchange.
      headersTimeout: request.timeoutMs,
      bodyTimeout: request.timeoutMs,
    });
    const { text, truncated } = await readCapped(response.body, maxBytes);
    return { status: response.statusCode, headers: flattenHeaders(response.headers), body: text, truncated };
  }

  async function post(request: SendRequest): Promise<SendResult> {
    const started = performance.now();
    const elapsed = (): number => Math.round((performance.now() - started) * 10) / 10;
    const target = parseTarget(request.url, opts.allowPrivate);
    if (!('url' in target)) return { kind: 'error', error: target.error, message: target.message, durationMs: elapsed() };

    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    // A race rather than only the signal: undici defers an abort until a pending connect settles, and
    // DNS through the lookup hook is not abortable either; the caller's deadline must hold regardless.
    const deadline = new Promise<typeof TIMED_OUT>((resolve) => {
      timer = setTimeout(() => resolve(TIMED_OUT), request.timeoutMs);
    });
    const work = exchange(target.url, request, controller.signal);
    // If the deadline wins, the aborted exchange still rejects later; nobody awaits it any more.
    work.catch(() => undefined);
    try {
      const outcome = await Promise.race([work, deadline]);
      if (outcome === TIMED_OUT) {
        controller.abort();
        return { kind: 'error', error: 'timeout', message: `timed out after ${request.timeoutMs} ms`, durationMs: elapsed() };
      }
      return { kind: 'response', ...outcome, durationMs: elapsed() };
    } catch (error: unknown) {
      const { kind, message } = describeFailure(error, { timeoutMs: request.timeoutMs, connectTimeoutMs });
      return { kind: 'error', error: kind, message, durationMs: elapsed() };
    } finally {
      clearTimeout(timer);
    }
  }

  const inFlight = new Set<Promise<SendResult>>();
  return {
    post(request) {
      const pending = post(request);
      inFlight.add(pending);
      const forget = (): boolean => inFlight.delete(pending);
      void pending.then(forget, forget);
      return pending;
    },
    // Not agent.close(): that also waits for requests we already gave up on, and undici keeps an
    // aborted request queued until its connect settles (up to connectTimeoutMs, even when the lookup
    // hook hangs). Every post() is bounded by its own deadline, so let those finish, then tear down.
    async close() {
      await Promise.allSettled(inFlight);
      await agent.destroy();
    },
  };
}
