/**
 * Console sessions (SPEC §10): the cookie that stands for an API key after sign-in, and
 * what `GET /v1/me` says about a principal. Pure: token generation and storage live in
 * the service and the adapter.
 */
import { SCOPES } from './apiKeys';
import type { Principal, Scope } from './apiKeys';

/** Not `__Host-`: that prefix needs `Secure`, which a browser refuses on http://127.0.0.1. */
export const SESSION_COOKIE = 'ren_session';
/** The SPEC's ceiling: a session lasts at most 8 hours. */
export const SESSION_TTL_SECONDS = 8 * 60 * 60;
/** 32 random bytes, base64url. */
export const SESSION_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;
/** State-changing requests authenticated by the cookie must carry this header (CSRF). */
export const CONSOLE_REQUEST_HEADER = { name: 'x-requested-with', value: 'console' } as const;
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function isSafeMethod(method: string): boolean {
  return SAFE_METHODS.has(method.toUpperCase());
}

export function sessionCookie(token: string, opts: { secure: boolean; maxAgeSeconds: number }): string {
  const parts = [`${SESSION_COOKIE}=${token}`, 'Path=/', 'HttpOnly', 'SameSite=Strict', `Max-Age=${Math.max(0, Math.trunc(opts.maxAgeSeconds))}`];
  if (opts.secure) parts.push('Secure');
  return parts.join('; ');
}

export function clearedSessionCookie(secure: boolean): string {
  return `${sessionCookie('', { secure, maxAgeSeconds: 0 })}; Expires=Thu, 01 Jan 1970 00:00:00 GMT`;
}

/**
 * The session token among the request's cookies (API Gateway's payload 2.0 passes them
 * as `cookies`, some proxies only as a `cookie` header). Anything that is not shaped like
 * one of our tokens is ignored, so a junk cookie cannot reach the table.
 */
export function sessionTokenOf(cookies: readonly string[] | undefined, cookieHeader: string | undefined): string | undefined {
  const pairs = [...(cookies ?? []), ...(cookieHeader ?? '').split(';')];
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at === -1 || pair.slice(0, at).trim() !== SESSION_COOKIE) continue;
    const value = pair.slice(at + 1).trim();
    if (SESSION_TOKEN_PATTERN.test(value)) return value;
  }
  return undefined;
}

/** `GET /v1/me`: who the caller is, in the terms the console needs. */
export interface Me {
  kind: 'admin' | 'key';
  keyId?: string;
  name?: string;
  scopes: Scope[];
  instanceIds: string[];
}

export function describePrincipal(principal: Principal): Me {
  if (principal.kind === 'admin') return { kind: 'admin', scopes: [...SCOPES], instanceIds: ['*'] };
  return {
    kind: 'key',
    keyId: principal.keyId,
    ...(principal.name !== undefined ? { name: principal.name } : {}),
    scopes: [...principal.scopes],
    instanceIds: [...principal.instanceIds],
  };
}
