/** Request id, structured access log line. Never logs headers, bodies or query strings. */
import type { MiddlewareObj } from '@middy/core';
import type { AppLogger } from '../../observability/logger';
import type { HttpContext, HttpEvent, HttpResult } from '../types';

export function requestLogging(logger: AppLogger): MiddlewareObj<HttpEvent, HttpResult, unknown, HttpContext> {
  function logLine(request: { event: HttpEvent; context: HttpContext; response: HttpResult | null | undefined }) {
    const state = request.context.http;
    const status = request.response?.statusCode ?? 500;
    const line = {
      requestId: state.requestId,
      method: request.event.requestContext?.http?.method,
      route: state.route?.operationId ?? 'unmatched',
      status,
      durationMs: Date.now() - state.startedAt,
      ...(state.principal ? { principal: state.principal.kind === 'admin' ? 'admin' : state.principal.keyId } : {}),
    };
    if (status >= 500) logger.error('request failed', line);
    else logger.info('request', line);
  }
  return {
    before: function startRequest(request) {
      // serverless-offline puts a fixed placeholder in requestContext.requestId.
      const gatewayId = request.event.requestContext?.requestId;
      const requestId =
        (gatewayId && !gatewayId.startsWith('offlineContext') ? gatewayId : undefined) ||
        request.context.awsRequestId ||
        crypto.randomUUID();
      request.context.http = { requestId, startedAt: Date.now(), params: {} };
      logger.appendKeys({ requestId });
    },
    after: function logResponse(request) {
      logLine(request);
      logger.resetKeys();
    },
    onError: function logFailure(request) {
      logLine(request);
      logger.resetKeys();
    },
  };
}
