/** Wiring of ingest, the reconciler and history (they share the fan-out queue). */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { createHmac } from 'node:crypto';
import { dynamoChatbotStore } from '../adapters/dynamo/chatbotRepository';
import { dynamoDeliveryRepository } from '../adapters/dynamo/deliveryRepository';
import { dynamoEventStore } from '../adapters/dynamo/eventRepository';
import { dynamoHistoryStore } from '../adapters/dynamo/historyRepository';
import { dynamoPendingIndex } from '../adapters/dynamo/pendingIndex';
import { dynamoRuleStore } from '../adapters/dynamo/ruleRepository';
import { dynamoSourcePayloadStore } from '../adapters/dynamo/sourceRepository';
import { sqsDeadLetterQueue } from '../adapters/sqs/deadLetters';
import { sqsDeliveryQueue } from '../adapters/sqs/deliveryQueue';
import type { Config } from '../config';
import type { AppLogger } from '../observability/logger';
import type { HistoryDeps } from '../services/history';
import type { IngestDeps } from '../services/ingest';
import type { ReconcileDeps } from '../services/reconcile';
import { createRuleCache } from '../services/ruleCache';
import { stdoutMetrics } from '../observability/metrics';

export function ingestDeps(config: Config, db: DynamoDBDocumentClient, sqs: SQSClient, log: AppLogger): IngestDeps {
  return {
    events: dynamoEventStore(db, config.tableName),
    queue: sqsDeliveryQueue(sqs, config.queueUrl, (message, fields) => log.warn(message, fields)),
    rules: createRuleCache({ store: dynamoRuleStore(db, config.tableName) }),
    retentionSeconds: config.eventRetentionSeconds,
    log: (message, fields) => log.info(message, fields),
    metrics: stdoutMetrics,
  };
}

export function reconcileDeps(config: Config, db: DynamoDBDocumentClient, sqs: SQSClient): ReconcileDeps {
  return {
    pending: dynamoPendingIndex(db, config.tableName),
    queue: sqsDeliveryQueue(sqs, config.queueUrl),
    afterSeconds: config.reconcileAfterSeconds,
    ...(config.deadLetterQueueUrl
      ? {
          deadLetters: {
            queue: sqsDeadLetterQueue(sqs, config.deadLetterQueueUrl),
            deliveries: dynamoDeliveryRepository(db, config.tableName),
            chatbots: dynamoChatbotStore(db, config.tableName, config.eventRetentionSeconds),
          },
        }
      : {}),
  };
}

/** Page tokens are MACed with a key derived from the admin key (rotating it voids old tokens). */
export function pageTokenKey(adminKey: () => Promise<string>): () => Promise<Buffer> {
  return async () => createHmac('sha256', await adminKey()).update('registry-events/page-token/v1').digest();
}

export function historyDeps(config: Config, db: DynamoDBDocumentClient, sqs: SQSClient, adminKey: () => Promise<string>): HistoryDeps {
  return {
    store: dynamoHistoryStore(db, config.tableName),
    rules: dynamoRuleStore(db, config.tableName),
    queue: sqsDeliveryQueue(sqs, config.queueUrl),
    tokenKey: pageTokenKey(adminKey),
    payloads: dynamoSourcePayloadStore(db, config.tableName),
  };
}
