/**
 * Serves the built console (SPEC §10) from the API's own origin: `index.html` for the
 * console's pages (never cached, so a deploy takes effect at once), hashed assets cached
 * for a year, gzip when the browser takes it, and the console's own strict headers (no
 * inline script or style; API calls to 'self' only).
 */
import { gzipSync } from 'node:zlib';
import type { HttpResult } from './types';

/** The console function's API Gateway routes (serverless.yml); not part of the JSON API's route table. */
export const CONSOLE_ROUTES = [
  { method: 'GET', path: '/console' },
  { method: 'GET', path: '/console/{proxy+}' },
] as const;

export interface ConsoleFiles {
  version: string;
  files: Readonly<Record<string, { contentType: string; body: string; immutable: boolean }>>;
}

export const CONSOLE_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

const CONSOLE_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CONSOLE_CSP,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'strict-transport-security': 'max-age=63072000; includeSubDomains',
};

const IMMUTABLE = 'public, max-age=31536000, immutable';
const NO_CACHE = 'no-cache';
/** Below this, gzip's header costs more than it saves. */
const GZIP_MIN_BYTES = 1024;

interface Prepared {
  contentType: string;
  raw: Buffer;
  gzip: Buffer | undefined;
  cacheControl: string;
  etag: string;
}

export type ConsoleRequest = { method: string; path: string; acceptEncoding?: string | undefined; ifNoneMatch?: string | undefined };

function text(statusCode: number, body: string, headers: Record<string, string> = {}): HttpResult {
  return { statusCode, headers: { ...CONSOLE_HEADERS, 'content-type': 'text/plain; charset=utf-8', 'cache-control': NO_CACHE, ...headers }, body };
}

export function createConsoleServer(assets: ConsoleFiles): (request: ConsoleRequest) => HttpResult {
  const prepared = new Map<string, Prepared>();
  for (const [name, file] of Object.entries(assets.files)) {
    const raw = Buffer.from(file.body, 'base64');
    const etag = `"${assets.version}-${name.length}-${raw.length}"`;
    prepared.set(name, {
      contentType: file.contentType,
      raw,
      gzip: raw.length >= GZIP_MIN_BYTES ? gzipSync(raw, { level: 9 }) : undefined,
      cacheControl: file.immutable ? IMMUTABLE : NO_CACHE,
      etag,
    });
  }

  /** `/console`, `/console/` and any page path → index.html; `/console/assets/…` → that file or 404. */
  function fileFor(path: string): Prepared | undefined {
    const rest = path.replace(/^\/console\/?/, '');
    if (rest.startsWith('assets/')) return prepared.get(rest);
    return prepared.get('index.html');
  }

  return function serve(request) {
    const method = request.method.toUpperCase();
    if (!request.path.startsWith('/console') || !/^\/console(\/|$)/.test(request.path)) return text(404, 'Not found.');
    if (method !== 'GET' && method !== 'HEAD') return text(405, 'Method not allowed.', { allow: 'GET, HEAD' });
    const file = fileFor(request.path);
    if (!file) return text(404, 'Not found.');
    const headers: Record<string, string> = {
      ...CONSOLE_HEADERS,
      'content-type': file.contentType,
      'cache-control': file.cacheControl,
      etag: file.etag,
      vary: 'accept-encoding',
    };
    if (request.ifNoneMatch !== undefined && request.ifNoneMatch.split(',').some((t) => t.trim() === file.etag)) {
      return { statusCode: 304, headers, body: '' };
    }
    const gzip = file.gzip !== undefined && /\bgzip\b/i.test(request.acceptEncoding ?? '');
    const body = gzip && file.gzip ? file.gzip : file.raw;
    if (gzip) headers['content-encoding'] = 'gzip';
    return { statusCode: 200, headers, body: method === 'HEAD' ? '' : body.toString('base64'), isBase64Encoded: method !== 'HEAD' };
  };
}
