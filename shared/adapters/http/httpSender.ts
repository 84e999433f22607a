/**
 * Outbound HTTP POST for webhook / DingTalk delivery, hardened for user-chosen URLs:
 * redirects are never followed, the address actually connected to is re-checked (DNS rebinding),
 * the whole exchange is bounded in time and the response body in size, and error messages never
 * echo the URL (its query string may carry an access_token) or the request.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import type { LookupAddress, LookupOptions } from 'node:dns';
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import type { ClientRequest, IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { LookupFunction, Socket } from 'node:net';
import { connectTimeAddressAllowed } from '../net/targetGuard';
import { classifyAddress, isLocalhostName, literalAddressOf } from '../../domain/targetPolicy';
import { connectTimeoutError, describeFailure, TargetBlockedError } from './sendErrors';

import type { HttpSender, SendRequest, SendResult } from '../../services/httpSenderPort';

export type { HttpSender, SendRequest, SendResult } from '../../services/httpSenderPort';
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
 * The `lookup` handed to net/tls.connect through the agents' options. Node calls it for every
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

/** The body's framing is ours: caller-supplied length / transfer-encoding headers are replaced. */
function requestHeaders(raw: Record<string, string>, bodyBytes: number): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(raw)) {
    const lower = name.toLowerCase();
    if (lower === 'content-length' || lower === 'transfer-encoding') continue;
    headers[name] = value;
  }
  headers['content-length'] = String(bodyBytes);
  return headers;
}

/** From the raw list, so every repeated header is kept (IncomingMessage#headers drops some). */
function flattenHeaders(rawHeaders: string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = (rawHeaders[i] as string).toLowerCase();
    const value = rawHeaders[i + 1] as string;
    const previous = headers[name];
    headers[name] = previous === undefined ? value : `${previous}, ${value}`;
  }
  return headers;
}

async function readCapped(body: IncomingMessage, maxBytes: number): Promise<{ text: string; truncated: boolean }> {
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
  // Destroying an incomplete response closes its socket rather than returning it to the pool, which
  // is the price of not draining a big body.
  if (truncated) body.destroy();
  // Buffer#toString replaces invalid or cut-off UTF-8 sequences with U+FFFD instead of throwing.
  return { text: Buffer.concat(chunks, size).toString('utf8'), truncated };
}

/** IPv6 literals come bracketed from URL#hostname; net.connect wants them bare. */
function bareHost(hostname: string): string {
  return hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
}

type Exchanged = { status: number; headers: Record<string, string>; body: string; truncated: boolean };

const TIMED_OUT = Symbol('timedOut');

export function createHttpSender(opts: HttpSenderOptions): HttpSender {
  const maxBytes = opts.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const connectTimeoutMs = opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  // Agent options win over request options when Node builds the connection, so every socket either
  // agent opens goes through the guarded lookup. `timeout` is the idle timeout of pooled sockets
  // (a server's Keep-Alive: timeout=N hint can shorten it); active requests are bounded by our timers.
  const agentOptions = {
    keepAlive: true,
    maxSockets: opts.connections ?? DEFAULT_CONNECTIONS,
    timeout: opts.keepAliveTimeoutMs ?? DEFAULT_KEEP_ALIVE_TIMEOUT_MS,
    lookup: createGuardedLookup(opts.lookup ?? systemLookup, opts.allowPrivate),
  };
  const httpAgent = new HttpAgent(agentOptions);
  const httpsAgent = new HttpsAgent(agentOptions);

  /** Bounds DNS + TCP (+ TLS) of a fresh socket; a reused pooled socket is already connected. */
  function guardConnect(req: ClientRequest, socket: Socket, secure: boolean): void {
    if (!socket.connecting) return;
    const timer = setTimeout(() => req.destroy(connectTimeoutError()), connectTimeoutMs);
    const settled = (): void => clearTimeout(timer);
    socket.once(secure ? 'secureConnect' : 'connect', settled);
    socket.once('close', settled);
  }

  /** node:http never follows redirects: a 3xx comes back as a response like any other status. */
  function exchange(url: URL, request: SendRequest): { done: Promise<Exchanged>; abort(): void } {
    const secure = url.protocol === 'https:';
    const body = Buffer.from(request.body, 'utf8');
    let req: ClientRequest;
    try {
      // Built field by field rather than from the URL: userinfo is not turned into an auth header.
      req = (secure ? httpsRequest : httpRequest)({
        protocol: url.protocol,
        hostname: bareHost(url.hostname),
        port: url.port === '' ? undefined : Number(url.port),
        path: `${url.pathname}${url.search}`,
        method: 'POST',
        headers: requestHeaders(request.headers, body.length),
        agent: secure ? httpsAgent : httpAgent,
      });
    } catch (error: unknown) {
      // Invalid header names / values throw synchronously.
      return { done: Promise.reject(error), abort: () => undefined };
    }
    const done = new Promise<Exchanged>((resolve, reject) => {
      // Stays attached for the request's lifetime: late errors after a timeout must not go unhandled.
      req.on('error', reject);
      req.once('socket', (socket: Socket) => guardConnect(req, socket, secure));
      req.once('response', (res: IncomingMessage) => {
        readCapped(res, maxBytes).then(
          ({ text, truncated }) => resolve({ status: res.statusCode ?? 0, headers: flattenHeaders(res.rawHeaders), body: text, truncated }),
          reject,
        );
      });
      req.end(body);
    });
    return { done, abort: () => req.destroy() };
  }

  async function post(request: SendRequest): Promise<SendResult> {
    const started = performance.now();
    const elapsed = (): number => Math.round((performance.now() - started) * 10) / 10;
    const target = parseTarget(request.url, opts.allowPrivate);
    if (!('url' in target)) return { kind: 'error', error: target.error, message: target.message, durationMs: elapsed() };

    let timer: NodeJS.Timeout | undefined;
    // A race rather than only destroying the request: the verdict must not depend on how promptly
    // a torn-down socket reports back (a lookup hook that never answers cannot be cancelled).
    const deadline = new Promise<typeof TIMED_OUT>((resolve) => {
      timer = setTimeout(() => resolve(TIMED_OUT), request.timeoutMs);
    });
    const work = exchange(target.url, request);
    // If the deadline wins, the destroyed exchange still rejects later; nobody awaits it any more.
    work.done.catch(() => undefined);
    try {
      const outcome = await Promise.race([work.done, deadline]);
      if (outcome === TIMED_OUT) {
        work.abort();
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
    // Every post() is bounded by its own deadline, so let those finish, then tear the pools down
    // (destroy() closes idle keep-alive sockets and anything a timed-out request left behind).
    async close() {
      await Promise.allSettled(inFlight);
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}
