/**
 * Reads the deployable definitions (serverless.yml and resources/*.yml) so the local
 * stack builds its table, queues and SQS trigger from the same source as AWS.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load as loadYaml } from 'js-yaml';
import * as z from 'zod';

export const ROOT = join(import.meta.dirname, '..');

function readYaml(file: string): unknown {
  return loadYaml(readFileSync(join(ROOT, file), 'utf8'));
}

const keySchemaElement = z.object({ AttributeName: z.string(), KeyType: z.enum(['HASH', 'RANGE']) });
const tableResource = z.object({
  Type: z.literal('AWS::DynamoDB::Table'),
  Properties: z.object({
    BillingMode: z.literal('PAY_PER_REQUEST'),
    AttributeDefinitions: z.array(z.object({ AttributeName: z.string(), AttributeType: z.enum(['S', 'N', 'B']) })),
    KeySchema: z.array(keySchemaElement),
    GlobalSecondaryIndexes: z
      .array(
        z.object({
          IndexName: z.string(),
          KeySchema: z.array(keySchemaElement),
          Projection: z.object({
            ProjectionType: z.enum(['ALL', 'KEYS_ONLY', 'INCLUDE']),
            NonKeyAttributes: z.array(z.string()).optional(),
          }),
        }),
      )
      .default([]),
    TimeToLiveSpecification: z.object({ AttributeName: z.string(), Enabled: z.boolean() }),
  }),
});
export type TableDefinition = z.infer<typeof tableResource>['Properties'];

export function readTableDefinition(): TableDefinition {
  return tableResource.parse(readYaml('resources/table.yml')).Properties;
}

const queueProperties = z.object({
  VisibilityTimeout: z.number().int().optional(),
  MessageRetentionPeriod: z.number().int().optional(),
  RedrivePolicy: z.object({ maxReceiveCount: z.number().int() }).optional(),
});
const queuesFile = z.object({
  DeliveryQueue: z.object({ Properties: queueProperties }),
  DeliveryDeadLetterQueue: z.object({ Properties: queueProperties }),
});

export interface QueueDefinitions {
  visibilityTimeout: number;
  messageRetentionPeriod: number;
  maxReceiveCount: number;
  deadLetterRetentionPeriod: number;
}

export function readQueueDefinitions(): QueueDefinitions {
  const q = queuesFile.parse(readYaml('resources/queues.yml'));
  return {
    visibilityTimeout: q.DeliveryQueue.Properties.VisibilityTimeout ?? 30,
    messageRetentionPeriod: q.DeliveryQueue.Properties.MessageRetentionPeriod ?? 345_600,
    maxReceiveCount: q.DeliveryQueue.Properties.RedrivePolicy?.maxReceiveCount ?? 5,
    deadLetterRetentionPeriod: q.DeliveryDeadLetterQueue.Properties.MessageRetentionPeriod ?? 1_209_600,
  };
}

const sqsEvent = z.object({
  sqs: z.object({
    batchSize: z.number().int().min(1).max(10_000).default(10),
    maximumBatchingWindow: z.number().int().min(0).max(300).default(0),
    functionResponseType: z.literal('ReportBatchItemFailures').optional(),
  }),
});
const serverlessFile = z.object({
  service: z.string(),
  functions: z.record(
    z.string(),
    z.object({ handler: z.string(), timeout: z.number().optional(), events: z.array(z.unknown()).default([]) }),
  ),
});

export interface SqsTrigger {
  functionKey: string;
  /** Name serverless-offline registers the function under: service-stage-key. */
  functionName: (stage: string) => string;
  batchSize: number;
  maximumBatchingWindowSeconds: number;
  reportBatchItemFailures: boolean;
  timeoutSeconds: number;
}

export function readSqsTrigger(functionKey = 'deliver'): SqsTrigger {
  const file = serverlessFile.parse(readYaml('serverless.yml'));
  const fn = file.functions[functionKey];
  if (!fn) throw new Error(`serverless.yml has no function ${functionKey}`);
  const event = fn.events.map((e) => sqsEvent.safeParse(e)).find((r) => r.success);
  if (!event?.success) throw new Error(`serverless.yml: ${functionKey} has no sqs event`);
  return {
    functionKey,
    functionName: (stage) => `${file.service}-${stage}-${functionKey}`,
    batchSize: event.data.sqs.batchSize,
    maximumBatchingWindowSeconds: event.data.sqs.maximumBatchingWindow,
    reportBatchItemFailures: event.data.sqs.functionResponseType === 'ReportBatchItemFailures',
    timeoutSeconds: fn.timeout ?? 10,
  };
}
