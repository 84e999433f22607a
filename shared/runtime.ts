/**
 * Production wiring: config, clients and stores, built once per Lambda container on
 * first use. Handlers take these as arguments so tests can build their own.
 */
import { KMSClient } from '@aws-sdk/client-kms';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { kmsSealer, localKeySealer } from './adapters/crypto/secretSealer';
import type { SecretSealer } from './adapters/crypto/secretSealer';
import { dynamoRuleStore } from './adapters/dynamo/ruleRepository';
import { checkTargetHost } from './adapters/net/targetGuard';
import type { RuleServiceDeps } from './services/rules';
import type { RuleStore } from './services/ruleStore';
import { dynamoEventStore } from './adapters/dynamo/eventRepository';
import { createSqsClient } from './adapters/sqs/client';
import { sqsDeliveryQueue } from './adapters/sqs/deliveryQueue';
import { createRuleCache } from './services/ruleCache';
import type { IngestDeps } from './services/ingest';
import { dynamoPendingIndex } from './adapters/dynamo/pendingIndex';
import type { ReconcileDeps } from './services/reconcile';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { createHttpSender } from './adapters/http/httpSender';
import { dynamoChatbotStore } from './adapters/dynamo/chatbotRepository';
import { dynamoDeliveryRepository } from './adapters/dynamo/deliveryRepository';
import { sqsDelayedQueue } from './adapters/sqs/deliveryQueue';
import { sqsDeadLetterQueue } from './adapters/sqs/deadLetters';
import type { DeliverDeps } from './services/deliver';
import { safetyMarginMs } from './services/deliverySettings';
import type { DeliverySettings } from './services/deliverySettings';
import type { RuleTestDeps } from './services/ruleTest';
import { createHmac } from 'node:crypto';
import { dynamoHistoryStore } from './adapters/dynamo/historyRepository';
import type { HistoryDeps } from './services/history';
import { dynamoApiKeyStore } from './adapters/dynamo/apiKeyRepository';
import type { ApiKeyStore } from './adapters/dynamo/apiKeyRepository';
import { createDocumentClient } from './adapters/dynamo/client';
import { loadConfig } from './config';
import type { Config } from './config';
import { logger } from './observability/logger';
import type { AppLogger } from './observability/logger';
import { registerSecret } from './observability/redact';
import { createAuthenticator } from './services/authenticate';
import { internalError } from './domain/errors';
import { errorResponse } from './http/middlewares/errorEnvelope';
import { SECURITY_HEADERS } from './http/middlewares/securityHeaders';
import type { HttpEvent, HttpResult } from './http/types';
import type { Authenticator } from './services/authenticate';

export interface Runtime {
  config: Config;
  logger: AppLogger;
  db: DynamoDBDocumentClient;
  apiKeys: ApiKeyStore;
  authenticator: Authenticator;
  rules: RuleServiceDeps;
  ingest: IngestDeps;
  reconcile: ReconcileDeps;
  deliver: DeliverDeps;
  ruleTest: RuleTestDeps;
  history: HistoryDeps;
}

/** Page tokens are MACed with a key derived from the admin key (rotating it voids old tokens). */
export function pageTokenKey(adminKey: () => Promise<string>): () => Promise<Buffer> {
  return async () => createHmac('sha256', await adminKey()).update('registry-events/page-token/v1').digest();
}

export function userAgentOf(config: Pick<Config, 'version'>): string {
  return `registry-event-notifications/${config.version}`;
}

export function deliverySettings(config: Config): DeliverySettings {
  const windowMs = config.dingtalkRateWindowSeconds * 1000;
  return {
    retry: { baseSeconds: config.retryBaseSeconds, maxDelaySeconds: config.retryMaxDelaySeconds, maxAttempts: config.retryMaxAttempts },
    timeoutMs: config.deliveryTimeoutMs,
    userAgent: userAgentOf(config),
    dingtalk: {
      limit: config.dingtalkRateLimit,
      windowMs,
      throttleMs: config.dingtalkThrottleSeconds * 1000,
      marginMs: safetyMarginMs(windowMs),
    },
  };
}

export function deliverDeps(config: Config, db: DynamoDBDocumentClient, sealer: SecretSealer, sqs: SQSClient, log: AppLogger): DeliverDeps {
  return {
    deliveries: dynamoDeliveryRepository(db, config.tableName),
    chatbots: dynamoChatbotStore(db, config.tableName, config.eventRetentionSeconds),
    queue: sqsDelayedQueue(sqs, config.queueUrl),
    sender: createHttpSender({ allowPrivate: config.allowPrivateTargets }),
    sealer,
    settings: deliverySettings(config),
    log: (message, fields) => log.info(message, fields),
  };
}
export function ingestDeps(config: Config, db: DynamoDBDocumentClient, store: RuleStore, log: AppLogger, sqs: SQSClient = createSqsClient(config)): IngestDeps {
  return {
    events: dynamoEventStore(db, config.tableName),
    queue: sqsDeliveryQueue(sqs, config.queueUrl, (message, fields) => log.warn(message, fields)),
    rules: createRuleCache({ store }),
    retentionSeconds: config.eventRetentionSeconds,
    log: (message, fields) => log.info(message, fields),
  };
}

/** Seals rule secrets with the local master key when configured, else with KMS. */
export function createSealer(config: Config): SecretSealer {
  if (config.secretsKey) return localKeySealer(config.secretsKey);
  return kmsSealer({ keyId: config.secretsKmsKeyId, client: new KMSClient({ region: config.awsRegion }) });
}

export function ruleServiceDeps(config: Config, db: DynamoDBDocumentClient, sealer: SecretSealer = createSealer(config)): RuleServiceDeps {
  return {
    store: dynamoRuleStore(db, config.tableName),
    sealer,
    checkHost: (url) => checkTargetHost(url, { allowPrivate: config.allowPrivateTargets }),
    settings: {
      maxRulesPerRegion: config.maxRulesPerRegion,
      unsupportedRegions: config.unsupportedRegions,
      dingtalkWebhookPrefix: config.dingtalkWebhookPrefix,
    },
  };
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

export function buildRuntime(config: Config, log: AppLogger = logger): Runtime {
  const db = createDocumentClient(config);
  const apiKeys = dynamoApiKeyStore(db, config.tableName);
  const sealer = createSealer(config);
  const adminKey = adminKeyResolver(config);
  const rules = ruleServiceDeps(config, db, sealer);
  const sqs = createSqsClient(config);
  const ingest = ingestDeps(config, db, rules.store, log, sqs);
  const deliver = deliverDeps(config, db, sealer, sqs, log);
  return {
    config,
    logger: log,
    db,
    apiKeys,
    authenticator: createAuthenticator({ store: apiKeys, adminKey }),
    rules,
    ingest,
    reconcile: {
      pending: dynamoPendingIndex(db, config.tableName),
      queue: ingest.queue,
      afterSeconds: config.reconcileAfterSeconds,
      ...(config.deadLetterQueueUrl
        ? { deadLetters: { queue: sqsDeadLetterQueue(sqs, config.deadLetterQueueUrl), deliveries: deliver.deliveries, chatbots: deliver.chatbots } }
        : {}),
    },
    deliver,
    ruleTest: { store: rules.store, chatbots: deliver.chatbots, sender: deliver.sender, sealer, settings: deliver.settings },
    history: { store: dynamoHistoryStore(db, config.tableName), queue: ingest.queue, tokenKey: pageTokenKey(adminKey) },
  };
}

let defaultRuntime: Runtime | undefined;

export function getRuntime(): Runtime {
  defaultRuntime ??= buildRuntime(loadConfig());
  return defaultRuntime;
}

/**
 * A Lambda entry point that wires itself on first invocation. A configuration error
 * fails the invocation (the log says which variable is wrong); HTTP functions use
 * lazyHttpHandler instead so callers still get the SPEC's 500 envelope, not a trace.
 */
export function lazyHandler<E, C, R>(build: (runtime: Runtime) => (event: E, context: C) => Promise<R>) {
  let built: ((event: E, context: C) => Promise<R>) | undefined;
  return (event: E, context: C): Promise<R> => {
    built ??= build(getRuntime());
    return built(event, context);
  };
}

/** lazyHandler for API Gateway functions: wiring failures answer 500 InternalError, never internals. */
export function lazyHttpHandler<C extends { awsRequestId?: string }>(
  build: (runtime: Runtime) => (event: HttpEvent, context: C) => Promise<HttpResult>,
) {
  let built: ((event: HttpEvent, context: C) => Promise<HttpResult>) | undefined;
  return async (event: HttpEvent, context: C): Promise<HttpResult> => {
    try {
      built ??= build(getRuntime());
    } catch (error) {
      logger.error('function could not start', { error: error instanceof Error ? error.message : String(error) });
      const requestId = event.requestContext?.requestId || context.awsRequestId || 'unknown';
      const response = errorResponse(internalError(requestId), requestId);
      return { ...response, headers: { ...response.headers, ...SECURITY_HEADERS, 'x-request-id': requestId } };
    }
    return built(event, context);
  };
}
