/** Builds the HTTP functions against a test table, as the Lambda entry points do. */
import type { ApiKeyStore } from '../../shared/adapters/dynamo/apiKeyRepository';
import { checkTargetHost } from '../../shared/adapters/net/targetGuard';
import { loadConfig } from '../../shared/config';
import type { Config } from '../../shared/config';
import { createLogger } from '../../shared/observability/logger';
import { buildRuntime } from '../../shared/runtime';
import type { Runtime } from '../../shared/runtime';
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
    // Tests send bursts on purpose; the per-key ingest limit has its own test.
    INGEST_RATE_PER_SECOND: '100000',
    INGEST_BURST: '1000000',
    ...overrides,
  });
}

export function testRuntime(
  table: TestTable,
  opts: { now?: () => number; store?: ApiKeyStore; env?: Record<string, string>; lookup?: (host: string) => Promise<string[]> } = {},
): Runtime {
  const config = testConfig(table, opts.env);
  const rt = buildRuntime(config, createLogger('INFO'));
  if (opts.store) rt.apiKeys = opts.store;
  if (opts.store || opts.now) {
    rt.authenticator = createAuthenticator({ store: rt.apiKeys, adminKey: rt.adminKey, sessions: rt.sessions, ...(opts.now ? { now: opts.now } : {}) });
  }
  if (opts.lookup) {
    const lookup = opts.lookup;
    rt.rules.checkHost = (url) => checkTargetHost(url, { allowPrivate: config.allowPrivateTargets, lookup });
  }
  return rt;
}
