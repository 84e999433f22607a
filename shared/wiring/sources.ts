/** Wiring of the registry-source functions: source CRUD, token authentication and native ingest. */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { dynamoSourcePayloadStore, dynamoSourceStore } from '../adapters/dynamo/sourceRepository';
import type { Config } from '../config';
import type { AppLogger } from '../observability/logger';
import { stdoutMetrics } from '../observability/metrics';
import type { SourceEventsDeps } from '../services/sourceEvents';
import { createSourceAuthenticator } from '../services/sources';
import type { SourceAuthenticator, SourceServiceDeps } from '../services/sources';
import { ingestDeps } from './ingest';

export function sourceServiceDeps(config: Config, db: DynamoDBDocumentClient): SourceServiceDeps {
  return { store: dynamoSourceStore(db, config.tableName), unsupportedRegions: config.unsupportedRegions };
}

export function sourceAuthenticator(config: Config, db: DynamoDBDocumentClient): SourceAuthenticator {
  return createSourceAuthenticator({ store: dynamoSourceStore(db, config.tableName) });
}

export function sourceEventsDeps(config: Config, db: DynamoDBDocumentClient, sqs: SQSClient, log: AppLogger): SourceEventsDeps {
  return {
    ingest: ingestDeps(config, db, sqs, log),
    payloads: dynamoSourcePayloadStore(db, config.tableName),
    metrics: stdoutMetrics,
    log: (message, fields) => log.info(message, fields),
  };
}
