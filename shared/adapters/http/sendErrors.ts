/**
 * Maps whatever node:http / net / tls / our lookup hook threw onto the sender's small error vocabulary.
 * Messages are fixed sentences built from error codes only: the thrown errors' own messages can
 * contain the host, port or URL (e.g. "getaddrinfo ENOTFOUND host", "connect ECONNREFUSED ip:port"),
 * and a webhook URL's query string may hold an access token, so they are never passed through.
 */

export type SendErrorKind = 'timeout' | 'connection' | 'blocked' | 'dns' | 'invalid-url';

export const TARGET_BLOCKED_CODE = 'ERR_TARGET_BLOCKED';

/** Raised from the connect-time lookup hook when a resolved address is not an allowed target. */
export class TargetBlockedError extends Error {
  readonly code = TARGET_BLOCKED_CODE;
  constructor(readonly reason: string) {
    super(`target address not allowed (${reason})`);
    this.name = 'TargetBlockedError';
  }
}

export const CONNECT_TIMEOUT_CODE = 'ERR_CONNECT_TIMEOUT';

/** What the sender destroys a request with when DNS + connect (+ TLS handshake) outlast connectTimeoutMs. */
export function connectTimeoutError(): NodeJS.ErrnoException {
  return Object.assign(new Error('connect timed out'), { code: CONNECT_TIMEOUT_CODE });
}

const DNS_MESSAGES: Record<string, string> = {
  ENOTFOUND: 'host name could not be resolved',
  EAI_AGAIN: 'temporary DNS resolution failure',
  EAI_FAIL: 'DNS resolution failed',
  ENODATA: 'host name has no usable address',
  EAI_NODATA: 'host name has no usable address',
  EAI_NONAME: 'host name could not be resolved',
};

const CONNECTION_MESSAGES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset by peer',
  EPIPE: 'connection closed while sending the request',
  ERR_STREAM_PREMATURE_CLOSE: 'connection closed by peer',
  ERR_SOCKET_CLOSED: 'connection closed by peer',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
};

/** Header names / values / paths Node refuses to put on the wire: a bad target configuration. */
const INVALID_REQUEST_CODES = new Set([
  'ERR_INVALID_ARG_TYPE',
  'ERR_INVALID_ARG_VALUE',
  'ERR_INVALID_CHAR',
  'ERR_INVALID_HTTP_TOKEN',
  'ERR_HTTP_INVALID_HEADER_VALUE',
  'ERR_UNESCAPED_CHARACTERS',
]);

/** Codes from every error in the chain: errors may be wrapped (cause) or aggregated (happy eyeballs). */
function codesOf(error: unknown, seen = new Set<unknown>()): string[] {
  if (typeof error !== 'object' || error === null || seen.has(error)) return [];
  seen.add(error);
  const codes: string[] = [];
  const { code, name, cause, errors } = error as { code?: unknown; name?: unknown; cause?: unknown; errors?: unknown };
  if (typeof code === 'string') codes.push(code);
  if (name === 'AbortError' || name === 'TimeoutError') codes.push(name);
  codes.push(...codesOf(cause, seen));
  if (Array.isArray(errors)) for (const inner of errors) codes.push(...codesOf(inner, seen));
  return codes;
}

function blockedReason(error: unknown, seen = new Set<unknown>()): string | undefined {
  if (error instanceof TargetBlockedError) return error.reason;
  if (typeof error !== 'object' || error === null || seen.has(error)) return undefined;
  seen.add(error);
  const { cause, errors } = error as { cause?: unknown; errors?: unknown };
  const nested = [cause, ...(Array.isArray(errors) ? errors : [])];
  for (const inner of nested) {
    const reason = blockedReason(inner, seen);
    if (reason !== undefined) return reason;
  }
  return undefined;
}

/** Error codes are upper-case identifiers; anything else is not echoed, just in case. */
const SAFE_CODE = /^[A-Z][A-Z0-9_]{1,63}$/;

export function describeFailure(
  error: unknown,
  limits: { timeoutMs: number; connectTimeoutMs: number },
): { kind: SendErrorKind; message: string } {
  const reason = blockedReason(error);
  if (reason !== undefined) return { kind: 'blocked', message: `target address not allowed (${reason})` };

  const codes = codesOf(error);
  // Most specific first: a timeout or DNS failure can arrive wrapped in a generic socket error.
  for (const code of codes) {
    if (code === CONNECT_TIMEOUT_CODE || code === 'ETIMEDOUT') {
      return { kind: 'timeout', message: `connect timed out after ${Math.min(limits.timeoutMs, limits.connectTimeoutMs)} ms` };
    }
    // Only our own deadline aborts a request, so an abort means "timed out".
    if (code === 'AbortError' || code === 'TimeoutError' || code === 'ABORT_ERR') {
      return { kind: 'timeout', message: `timed out after ${limits.timeoutMs} ms` };
    }
  }
  for (const code of codes) {
    const dns = DNS_MESSAGES[code];
    if (dns !== undefined) return { kind: 'dns', message: dns };
  }
  for (const code of codes) {
    // Bad header names/values from the target's configuration: permanent, like a bad URL.
    if (INVALID_REQUEST_CODES.has(code)) {
      return { kind: 'invalid-url', message: 'request could not be built (invalid header or URL)' };
    }
  }
  for (const code of codes) {
    const connection = CONNECTION_MESSAGES[code];
    if (connection !== undefined) return { kind: 'connection', message: connection };
    // llhttp parse errors: HPE_INVALID_CONSTANT, HPE_HEADER_OVERFLOW, ...
    if (code.startsWith('HPE_')) return { kind: 'connection', message: 'response was not valid HTTP' };
    // OpenSSL verification codes (UNABLE_TO_VERIFY_LEAF_SIGNATURE, CERT_HAS_EXPIRED, ...) and Node's own.
    if (code.startsWith('ERR_TLS_') || code.includes('CERT') || code.startsWith('ERR_SSL_') || code.startsWith('UNABLE_TO_') || code === 'EPROTO') {
      return { kind: 'connection', message: `TLS handshake failed (${SAFE_CODE.test(code) ? code : 'unknown'})` };
    }
  }
  const first = codes.find((code) => SAFE_CODE.test(code));
  return { kind: 'connection', message: first === undefined ? 'connection failed' : `connection failed (${first})` };
}
