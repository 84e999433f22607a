/**
 * Maps any error to SPEC §4's envelope. AppErrors keep their code and message;
 * anything else becomes 500 InternalError with the request id and nothing else:
 * the real error goes to the log (redacted), never to the caller.
 */
import type { MiddlewareObj } from '@middy/core';
import { AppError, internalError } from '../../domain/errors';
import type { AppLogger } from '../../observability/logger';
import { json } from '../response';
import type { HttpContext, HttpEvent, HttpResult } from '../types';

/** What the envelope says: an AppError, or a refusal some operation holds as data (an ingest item). */
export type ErrorReply = Pick<AppError, 'status' | 'code' | 'message'> & Partial<Pick<AppError, 'details' | 'headers'>>;

export function errorResponse(error: ErrorReply, requestId: string): HttpResult {
  return json(
    error.status,
    {
      error: {
        code: error.code,
        message: error.message,
        ...(error.details && error.details.length > 0 ? { details: error.details } : {}),
        ...(error.status >= 500 ? { requestId } : {}),
      },
    },
    error.headers,
  );
}

export function errorEnvelope(logger: AppLogger): MiddlewareObj<HttpEvent, HttpResult, unknown, HttpContext> {
  return {
    onError: function shapeError(request) {
      const requestId = request.context.http?.requestId ?? request.context.awsRequestId ?? 'unknown';
      let error: AppError;
      if (request.error instanceof AppError) {
        error = request.error;
      } else {
        const cause = request.error instanceof Error ? request.error : new Error(String(request.error));
        logger.error('unexpected error', { error: { name: cause.name, message: cause.message, stack: cause.stack } });
        error = internalError(requestId);
      }
      request.response = errorResponse(error, requestId);
    },
  };
}
