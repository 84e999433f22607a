import { z } from 'zod';
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
