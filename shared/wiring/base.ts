/**
 * What every function but meta needs: the DynamoDB client, and for the HTTP functions
 * API-key auth. Each function's entry wires the rest from its own module under
 * shared/wiring/, so a bundle only carries the clients that function uses (cold start,
 * zip size).
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { dynamoApiKeyStore } from '../adapters/dynamo/apiKeyRepository';
import type { ApiKeyStore } from '../adapters/dynamo/apiKeyRepository';
import { createDocumentClient } from '../adapters/dynamo/client';
import { dynamoSessionStore } from '../adapters/dynamo/sessionRepository';
import type { Config } from '../config';
import type { HttpEvent, HttpResult } from '../http/types';
import { logger } from '../observability/logger';
import type { AppLogger } from '../observability/logger';
import { registerSecret } from '../observability/redact';
import { createAuthenticator } from '../services/authenticate';
import type { Authenticator } from '../services/authenticate';
import type { SessionStore } from '../services/sessions';
import { ssmAdminKey } from './adminKeyFromSsm';
import { getConfig, wiredHandler, wiredHttpHandler } from './entry';

export interface Core {
  config: Config;
  logger: AppLogger;
  db: DynamoDBDocumentClient;
}

export interface Base extends Core {
  apiKeys: ApiKeyStore;
  sessions: SessionStore;
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
  return ssmAdminKey({ parameter: config.adminApiKeyParameter, region: config.awsRegion });
}

export function buildCore(config: Config, log: AppLogger = logger): Core {
  return { config, logger: log, db: createDocumentClient(config) };
}

/** Core plus authentication (bearer API keys and console sessions), for the HTTP functions. */
export function withAuth(core: Core): Base {
  const apiKeys = dynamoApiKeyStore(core.db, core.config.tableName);
  const adminKey = adminKeyResolver(core.config);
  const sessions = dynamoSessionStore(core.db, core.config.tableName);
  return { ...core, apiKeys, sessions, adminKey, authenticator: createAuthenticator({ store: apiKeys, adminKey, sessions }) };
}

export function buildBase(config: Config, log: AppLogger = logger): Base {
  return withAuth(buildCore(config, log));
}

let core: Core | undefined;

export function getCore(): Core {
  core ??= buildCore(getConfig());
  return core;
}

/** A Lambda entry point wired on first invocation with the core (configuration, logger, DynamoDB). */
export function lazyHandler<E, C, R>(build: (core: Core) => (event: E, context: C) => Promise<R>) {
  return wiredHandler(getCore, build);
}

/** An API Gateway function wired on first invocation with the core plus API-key auth. */
export function lazyHttpHandler<C extends { awsRequestId?: string }>(build: (base: Base) => (event: HttpEvent, context: C) => Promise<HttpResult>) {
  return wiredHttpHandler(() => withAuth(getCore()), build);
}
