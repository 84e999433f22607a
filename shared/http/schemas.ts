import * as z from 'zod';
import { cloudEventSchema } from '../domain/cloudEvents';

export const errorEnvelopeSchema = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      details: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
      requestId: z.string().optional(),
    }),
  })
  .meta({ id: 'Error' });

export const healthSchema = z
  .object({ status: z.literal('ok'), version: z.string() })
  .meta({ id: 'Health', example: { status: 'ok', version: '0.1.0' } });

export const ingestBodySchema = z.union([cloudEventSchema, z.array(cloudEventSchema).min(1).max(100)]);

const itemErrorSchema = z.object({
  code: z.string(),
  message: z.string(),
  details: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});

export const ingestResultSchema = z
  .object({
    eventId: z.string(),
    status: z.enum(['accepted', 'duplicate']),
    matchedRuleIds: z.array(z.string()),
    expiresAt: z.string(),
  })
  .meta({ id: 'IngestResult', example: { eventId: '9f1c5e2a', status: 'accepted', matchedRuleIds: ['crecr-0a1b2c3d4e5f6g7h'], expiresAt: '2026-11-23T08:00:00.000Z' } });

export const ingestBatchResultSchema = z
  .object({
    results: z.array(
      z.object({
        index: z.number().int(),
        eventId: z.string().optional(),
        status: z.enum(['accepted', 'duplicate', 'rejected']),
        matchedRuleIds: z.array(z.string()).optional(),
        expiresAt: z.string().optional(),
        error: itemErrorSchema.optional(),
      }),
    ),
  })
  .meta({ id: 'IngestBatchResult' });

export const ingestResponseSchema = z.union([ingestResultSchema, ingestBatchResultSchema]);

export const ruleTestResultSchema = z
  .object({
    outcome: z.enum(['delivered', 'failed']),
    httpStatus: z.number().int().optional(),
    providerCode: z.number().int().optional(),
    durationMs: z.number(),
    error: z.string().optional(),
  })
  .meta({ id: 'RuleTestResult', example: { outcome: 'delivered', httpStatus: 200, providerCode: 0, durationMs: 182.4 } });

const deliveryCountsSchema = z.object({ total: z.number(), delivered: z.number(), pending: z.number(), failed: z.number(), dead: z.number() });

const eventSummaryFields = {
  eventId: z.string(),
  eventType: z.string(),
  status: z.string(),
  instanceId: z.string(),
  regionId: z.string(),
  namespace: z.string(),
  repoName: z.string(),
  tag: z.string(),
  time: z.string(),
  receivedAt: z.string(),
  expiresAt: z.string(),
  matchedRuleIds: z.array(z.string()),
};

export const eventSummarySchema = z.object({ ...eventSummaryFields, deliveries: deliveryCountsSchema }).meta({ id: 'EventSummary' });
export const eventListSchema = z.object({ events: z.array(eventSummarySchema), nextToken: z.string().nullable() }).meta({ id: 'EventList' });

export const attemptSchema = z
  .object({
    n: z.number().int(),
    at: z.string(),
    durationMs: z.number(),
    outcome: z.enum(['delivered', 'retry', 'throttled', 'failed']),
    httpStatus: z.number().int().optional(),
    providerCode: z.number().int().optional(),
    providerMessage: z.string().optional(),
    error: z.string().optional(),
    digestId: z.string().optional(),
  })
  .meta({ id: 'Attempt' });

export const eventTraceSchema = z
  .object({
    ...eventSummaryFields,
    event: z.record(z.string(), z.unknown()).describe('The CloudEvent exactly as received'),
    deliveries: z.array(
      z.object({
        ruleId: z.string(),
        ruleName: z.string(),
        method: z.enum(['dingtalk', 'http', 'https']),
        target: z.string().describe('Masked: a DingTalk access_token shows its last 4 characters'),
        state: z.enum(['pending', 'delivered', 'retrying', 'throttled', 'failed', 'dead']),
        attempts: z.array(attemptSchema),
        deliveredAt: z.string().optional(),
        nextAttemptAt: z.string().optional(),
        deadReason: z.string().optional(),
      }),
    ),
  })
  .meta({ id: 'EventTrace' });

export const redeliverRequestSchema = z.strictObject({ ruleId: z.string().regex(/^crecr-[a-z0-9]{16}$/, 'must match ^crecr-[a-z0-9]{16}$').optional() }).meta({ id: 'RedeliverRequest' });
export const redeliverResponseSchema = z.object({ requeued: z.array(z.string()) }).meta({ id: 'RedeliverResult' });

export const historyQuerySchema = z.strictObject({
  ruleId: z.string().regex(/^crecr-[a-z0-9]{16}$/, 'must match ^crecr-[a-z0-9]{16}$').optional(),
  eventType: z.enum(['cr:Artifact:SynchronizationCompleted', 'cr:Artifact:BuildCompleted', 'cr:Artifact:ScanCompleted', 'cr:Artifact:DeliveryChainCompleted', 'cr:Artifact:SigningCompleted']).optional(),
  status: z.enum(['SUCCESS', 'FAILED', 'CANCELED', 'DENIED']).optional(),
  namespace: z.string().regex(/^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/).max(128).optional(),
  repoName: z.string().regex(/^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/).max(128).optional(),
  limit: z.string().regex(/^\d{1,3}$/, 'must be a whole number from 1 to 100').refine((v) => Number(v) >= 1 && Number(v) <= 100, 'must be from 1 to 100').optional(),
  nextToken: z.string().min(1).max(2048).optional(),
});
