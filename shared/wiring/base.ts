/**
 * What every function needs: config, logger, the DynamoDB client, API-key auth. Each
 * function's entry wires the rest from its own module under shared/wiring/, so a bundle
 * only carries the clients that function uses (cold start, zip size).
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { dynamoApiKeyStore } from '../adapters/dynamo/apiKeyRepository';
import type { ApiKeyStore } from '../adapters/dynamo/apiKeyRepository';
import { createDocumentClient } from '../adapters/dynamo/client';
import { loadConfig } from '../config';
import type { Config } from '../config';
import { internalError } from '../domain/errors';
import { errorResponse } from '../http/middlewares/errorEnvelope';
import { SECURITY_HEADERS } from '../http/middlewares/securityHeaders';
import type { HttpEvent, HttpResult } from '../http/types';
import { logger } from '../observability/logger';
import type { AppLogger } from '../observability/logger';
import { registerSecret } from '../observability/redact';
import { createAuthenticator } from '../services/authenticate';
import type { Authenticator } from '../services/authenticate';

export interface Core {
  config: Config;
  logger: AppLogger;
  db: DynamoDBDocumentClient;
}

export interface Base extends Core {
  apiKeys: ApiKeyStore;
  adminKey: () => Promise<string>;
  authenticator: Authenticator;
}

/** The admin key: from ADMIN_API_KEY, or from the SSM SecureString in deployed stages. */
export function adminKeyResolver(config: Config): () => Promise<string> {
  if (config.adminApiKey !== '') {
    registerSecret(config.adminApiKey);
    const key = config.adminApiKey;
    return async () => key;
  }
  return async function adminKeyFromSsm() {
    const { getParameter } = await import('@aws-lambda-powertools/parameters/ssm');
    const value = await getParameter(config.adminApiKeyParameter, { decrypt: true, maxAge: 60 });
    if (typeof value !== 'string' || value.length < 16) throw new Error('admin key parameter is missing or too short');
    registerSecret(value);
    return value;
  };
}

export function buildCore(config: Config, log: AppLogger = logger): Core {
  return { config, logger: log, db: createDocumentClient(config) };
}

/** Core plus API-key authentication, for the HTTP functions. */
export function withAuth(core: Core): Base {
  const apiKeys = dynamoApiKeyStore(core.db, core.config.tableName);
  const adminKey = adminKeyResolver(core.config);
  return { ...core, apiKeys, adminKey, authenticator: createAuthenticator({ store: apiKeys, adminKey }) };
}

export function buildBase(config: Config, log: AppLogger = logger): Base {
  return withAuth(buildCore(config, log));
}

let core: Core | undefined;

export function getCore(): Core {
  core ??= buildCore(loadConfig());
  return core;
}

/**
 * A Lambda entry point that wires itself on first invocation. A configuration error
 * fails the invocation (the log says which variable is wrong); HTTP functions use
 * lazyHttpHandler instead so callers still get the SPEC's 500 envelope, not a trace.
 */
export function lazyHandler<E, C, R>(build: (core: Core) => (event: E, context: C) => Promise<R>) {
  let built: ((event: E, context: C) => Promise<R>) | undefined;
  return (event: E, context: C): Promise<R> => {
    built ??= build(getCore());
    return built(event, context);
  };
}

/** lazyHandler for API Gateway functions: wiring failures answer 500 InternalError, never internals. */
export function lazyHttpHandler<C extends { awsRequestId?: string }>(build: (base: Base) => (event: HttpEvent, context: C) => Promise<HttpResult>) {
  let built: ((event: HttpEvent, context: C) => Promise<HttpResult>) | undefined;
  return async (event: HttpEvent, context: C): Promise<HttpResult> => {
    try {
      built ??= build(withAuth(getCore()));
    } catch (error) {
      logger.error('function could not start', { error: error instanceof Error ? error.message : String(error) });
      const requestId = context.awsRequestId || 'unknown';
      const response = errorResponse(internalError(requestId), requestId);
      return { ...response, headers: { ...response.headers, ...SECURITY_HEADERS, 'x-request-id': requestId } };
    }
    return built(event, context);
  };
}
