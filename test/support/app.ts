/** Builds the HTTP functions against a test table, as the Lambda entry points do. */
import { dynamoApiKeyStore } from '../../shared/adapters/dynamo/apiKeyRepository';
import type { ApiKeyStore } from '../../shared/adapters/dynamo/apiKeyRepository';
import { loadConfig } from '../../shared/config';
import type { Config } from '../../shared/config';
import { createLogger } from '../../shared/observability/logger';
import { adminKeyResolver, createSealer, deliverDeps, ingestDeps, pageTokenKey, ruleServiceDeps } from '../../shared/runtime';
import { dynamoHistoryStore } from '../../shared/adapters/dynamo/historyRepository';
import type { HistoryDeps } from '../../shared/services/history';
import { createSqsClient } from '../../shared/adapters/sqs/client';
import type { ReconcileDeps } from '../../shared/services/reconcile';
import { checkTargetHost } from '../../shared/adapters/net/targetGuard';
import { dynamoPendingIndex } from '../../shared/adapters/dynamo/pendingIndex';
import { createAuthenticator } from '../../shared/services/authenticate';
import type { TestTable } from './dynamo';

export const ADMIN_KEY = 'test-admin-key-0123456789abcdef';

export function testConfig(table: TestTable, overrides: Record<string, string> = {}): Config {
  return loadConfig({
    STACK_MODE: 'local',
    TABLE_NAME: table.tableName,
    DYNAMODB_ENDPOINT: table.endpoint,
    ADMIN_API_KEY: ADMIN_KEY,
    SECRETS_KEY: Buffer.alloc(32, 3).toString('base64'),
    SERVICE_VERSION: '9.9.9-test',
    ...overrides,
  });
}

export function testRuntime(
  table: TestTable,
  opts: { now?: () => number; store?: ApiKeyStore; env?: Record<string, string>; lookup?: (host: string) => Promise<string[]> } = {},
) {
  const config = testConfig(table, opts.env);
  const log = createLogger('INFO');
  const ingestRules = ruleServiceDeps(config, table.db);
  const ingest = ingestDeps(config, table.db, ingestRules.store, log);
  const deliver = deliverDeps(config, table.db, createSealer(config), createSqsClient(config), log);
  const rules = ruleServiceDeps(config, table.db);
  if (opts.lookup) {
    const lookup = opts.lookup;
    rules.checkHost = (url) => checkTargetHost(url, { allowPrivate: config.allowPrivateTargets, lookup });
  }
  const apiKeys = opts.store ?? dynamoApiKeyStore(table.db, table.tableName);
  return {
    config,
    logger: log,
    db: table.db,
    apiKeys,
    authenticator: createAuthenticator({
      store: apiKeys,
      adminKey: adminKeyResolver(config),
      ...(opts.now ? { now: opts.now } : {}),
    }),
    rules,
    ingest,
    reconcile: { pending: dynamoPendingIndex(table.db, table.tableName), queue: ingest.queue, afterSeconds: config.reconcileAfterSeconds } as ReconcileDeps,
    deliver,
    ruleTest: { store: rules.store, chatbots: deliver.chatbots, sender: deliver.sender, sealer: rules.sealer, settings: deliver.settings },
    history: { store: dynamoHistoryStore(table.db, table.tableName), queue: ingest.queue, tokenKey: pageTokenKey(adminKeyResolver(config)) } as HistoryDeps,
  };
}
