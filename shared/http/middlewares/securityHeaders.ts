/** Headers every response carries, errors included. */
import type { MiddlewareObj } from '@middy/core';
import type { HttpContext, HttpEvent, HttpResult } from '../types';

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'strict-transport-security': 'max-age=63072000; includeSubDomains',
};

export function securityHeaders(): MiddlewareObj<HttpEvent, HttpResult, unknown, HttpContext> {
  function apply(request: { response: HttpResult | null | undefined; context: HttpContext }) {
    if (!request.response) return;
    request.response.headers = {
      ...request.response.headers,
      ...SECURITY_HEADERS,
      ...(request.context.http ? { 'x-request-id': request.context.http.requestId } : {}),
    };
  }
  return { after: apply, onError: apply };
}
