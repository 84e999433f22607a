/**
 * Lambda entry points that wire themselves on first invocation, from the configuration
 * read once per process. Nothing here touches AWS clients, so a function that needs none
 * (meta) bundles none; shared/wiring/base.ts adds DynamoDB and API-key auth.
 */
import { loadConfig } from '../config';
import type { Config } from '../config';
import { internalError } from '../domain/errors';
import { errorResponse } from '../http/middlewares/errorEnvelope';
import { SECURITY_HEADERS } from '../http/middlewares/securityHeaders';
import type { HttpEvent, HttpResult } from '../http/types';
import { logger } from '../observability/logger';
import type { AppLogger } from '../observability/logger';

export interface App {
  config: Config;
  logger: AppLogger;
}

let config: Config | undefined;

export function getConfig(): Config {
  config ??= loadConfig();
  return config;
}

export function getApp(): App {
  return { config: getConfig(), logger };
}

/**
 * A handler built on first invocation from `wire()`. A configuration error fails the
 * invocation (the log says which variable is wrong); HTTP functions use wiredHttpHandler
 * instead so callers still get the SPEC's 500 envelope, not a trace.
 */
export function wiredHandler<D, E, C, R>(wire: () => D, build: (deps: D) => (event: E, context: C) => Promise<R>) {
  let built: ((event: E, context: C) => Promise<R>) | undefined;
  return (event: E, context: C): Promise<R> => {
    built ??= build(wire());
    return built(event, context);
  };
}

/** wiredHandler for API Gateway functions: wiring failures answer 500 InternalError, never internals. */
export function wiredHttpHandler<D, C extends { awsRequestId?: string }>(
  wire: () => D,
  build: (deps: D) => (event: HttpEvent, context: C) => Promise<HttpResult>,
) {
  let built: ((event: HttpEvent, context: C) => Promise<HttpResult>) | undefined;
  return async (event: HttpEvent, context: C): Promise<HttpResult> => {
    try {
      built ??= build(wire());
    } catch (error) {
      logger.error('function could not start', { error: error instanceof Error ? error.message : String(error) });
      const requestId = context.awsRequestId || 'unknown';
      const response = errorResponse(internalError(requestId), requestId);
      return { ...response, headers: { ...response.headers, ...SECURITY_HEADERS, 'x-request-id': requestId } };
    }
    return built(event, context);
  };
}

/** An HTTP function that needs only configuration and the logger (no AWS client, no API key). */
export function lazyPublicHttpHandler<C extends { awsRequestId?: string }>(build: (app: App) => (event: HttpEvent, context: C) => Promise<HttpResult>) {
  return wiredHttpHandler(getApp, build);
}
