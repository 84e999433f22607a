/**
 * Everything wired at once, for tests, the bench and local tools. Lambda entries do not
 * import this: each wires only its own parts (shared/wiring/*) to keep bundles small.
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import { createSqsClient } from './adapters/sqs/client';
import type { Config } from './config';
import type { AppLogger } from './observability/logger';
import { logger } from './observability/logger';
import type { DeliverDeps } from './services/deliver';
import type { HistoryDeps } from './services/history';
import type { IngestDeps } from './services/ingest';
import type { ReconcileDeps } from './services/reconcile';
import type { RuleServiceDeps } from './services/rules';
import type { RuleTestDeps } from './services/ruleTest';
import { buildBase } from './wiring/base';
import type { Base } from './wiring/base';
import { deliverDeps } from './wiring/delivery';
import { historyDeps, ingestDeps, reconcileDeps } from './wiring/ingest';
import { operationsDeps, ruleServiceDeps, ruleTestDeps } from './wiring/rules';
import type { OperationsDeps } from './services/ruleHealth';
import { createSealer } from './wiring/secrets';
import type { SourceEventsDeps } from './services/sourceEvents';
import type { SourceAuthenticator, SourceServiceDeps } from './services/sources';
import { sourceAuthenticator, sourceEventsDeps, sourceServiceDeps } from './wiring/sources';

export interface Runtime extends Base {
  rules: RuleServiceDeps;
  operations: OperationsDeps;
  ruleTest: RuleTestDeps;
  ingest: IngestDeps;
  reconcile: ReconcileDeps;
  deliver: DeliverDeps;
  history: HistoryDeps;
  sources: SourceServiceDeps;
  sourceAuthenticator: SourceAuthenticator;
  sourceEvents: SourceEventsDeps;
}

export function buildRuntime(config: Config, log: AppLogger = logger, sqs: SQSClient = createSqsClient(config)): Runtime {
  const base = buildBase(config, log);
  const sealer = createSealer(config);
  return {
    ...base,
    rules: ruleServiceDeps(config, base.db, sealer, sqs),
    operations: operationsDeps(config, base.db, sqs),
    ruleTest: ruleTestDeps(config, base.db, sealer),
    ingest: ingestDeps(config, base.db, sqs, log),
    reconcile: reconcileDeps(config, base.db, sqs),
    deliver: deliverDeps(config, base.db, sealer, sqs, log),
    history: historyDeps(config, base.db, sqs, base.adminKey),
    sources: sourceServiceDeps(config, base.db),
    sourceAuthenticator: sourceAuthenticator(config, base.db),
    sourceEvents: sourceEventsDeps(config, base.db, sqs, log),
  };
}
