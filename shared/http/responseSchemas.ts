/**
 * Response shapes, for the OpenAPI document only: nothing validates responses, so only
 * the meta function builds these, when GET /v1/openapi.json is first asked for. Routes
 * name them (routeTable.ts). Where the code's own type is declared elsewhere (RuleView,
 * ApiKeySummary), a compile-time check keeps schema and type identical.
 */
import { CHAT_METHODS, NOTIFY_METHODS } from '../domain/chatMethods';
import * as z from 'zod/mini';
import type { ApiKeySummary } from '../domain/apiKeys';
import { SCOPES } from '../domain/apiKeys';
import type { RuleView } from '../domain/rules';
import type { Me } from '../domain/sessions';
import { scopeSchema } from '../domain/ruleSchemas';
import { attemptShape, deliveryStateSchema, eventIdentityShape } from '../domain/eventSchemas';
import type { RuleTestResult } from '../services/ruleTest';
import { SOURCE_KINDS } from '../domain/sources';
import type { SourceView } from '../domain/sources';

const errorEnvelopeSchema = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      details: z.optional(z.array(z.object({ path: z.string(), message: z.string() }))),
      requestId: z.optional(z.string()),
    }),
  })
  .check(z.meta({ id: 'Error' }));

const partHealth = z.enum(['ok', 'unavailable']);
const healthSchema = z
  .object({
    status: z.enum(['ok', 'unavailable']),
    version: z.string(),
    /** With ?deep=true: each part the service depends on. */
    checks: z.optional(z.object({ table: partHealth, queue: partHealth })),
    /** With ?deep=true and a 503: the parts that are down. */
    failing: z.optional(z.array(z.enum(['table', 'queue']))),
  })
  .check(z.meta({ id: 'Health', example: { status: 'ok', version: '0.1.0', checks: { table: 'ok', queue: 'ok' } } }));

const apiKeySummarySchema = z
  .object({
    keyId: z.string(),
    name: z.string(),
    scopes: z.array(z.enum(SCOPES)),
    instanceIds: z.array(z.string()),
    createdAt: z.string(),
    status: z.enum(['active', 'revoked']),
    revokedAt: z.optional(z.string()),
  })
  .check(z.meta({ id: 'ApiKey' }));

const apiKeyListSchema = z.object({ apiKeys: z.array(apiKeySummarySchema) }).check(z.meta({ id: 'ApiKeyList' }));

const createdApiKeySchema = z
  .object({
    keyId: z.string(),
    apiKey: z.string().check(z.describe('The secret key. Shown once; only its hash is stored.')),
    name: z.string(),
    scopes: z.array(z.enum(SCOPES)),
    instanceIds: z.array(z.string()),
    createdAt: z.string(),
  })
  .check(z.meta({ id: 'CreatedApiKey' }));

const maskedNotifySchema = z.discriminatedUnion('method', [
  z.object({
    method: z.enum(CHAT_METHODS),
    webhookUrl: z.string().check(z.describe("Masked: the URL's credential part (access_token, hook id, key, path) shows its last 4 characters")),
    secretSet: z.boolean(),
  }),
  z.object({ method: z.literal('http'), url: z.string(), secretSet: z.boolean() }),
  z.object({ method: z.literal('https'), url: z.string(), secretSet: z.boolean() }),
]);

const ruleHealthSchema = z
  .object({
    state: z.enum(['healthy', 'failing', 'suspended']),
    consecutiveFailures: z.int(),
    lastDeliveredAt: z.optional(z.string()),
    lastFailureAt: z.optional(z.string()),
    last24h: z.object({ delivered: z.int(), failed: z.int(), dead: z.int() }),
  })
  .check(z.meta({ id: 'RuleHealth', description: 'Circuit-breaker state and recent outcomes of the rule (SPEC §13)' }));

const ruleSchema = z
  .object({
    ruleId: z.string(),
    instanceId: z.string(),
    ruleName: z.string(),
    regionId: z.string(),
    eventTypes: z.array(z.string()),
    eventStatuses: z.optional(z.array(z.string())),
    scope: scopeSchema,
    tagPattern: z.string(),
    notify: maskedNotifySchema,
    template: z.optional(z.string()),
    enabled: z.boolean(),
    createdAt: z.string(),
    updatedAt: z.string(),
    version: z.int(),
    health: ruleHealthSchema,
  })
  .check(z.meta({ id: 'Rule' }));

const regionQuotaSchema = z
  .object({ regionId: z.string(), used: z.number(), limit: z.number() })
  .check(z.meta({ id: 'RegionQuota', description: 'Rules in the region across every instance, against MAX_RULES_PER_REGION' }));
const ruleListSchema = z
  .object({ rules: z.array(ruleSchema), quotas: z.array(regionQuotaSchema) })
  .check(z.meta({ id: 'RuleList' }));

const meSchema = z
  .object({
    kind: z.enum(['admin', 'key']),
    keyId: z.optional(z.string()),
    name: z.optional(z.string()),
    scopes: z.array(z.enum(SCOPES)),
    instanceIds: z.array(z.string()),
  })
  .check(z.meta({ id: 'Me' }));
const sessionSchema = z.object({ principal: meSchema, expiresAt: z.string() }).check(z.meta({ id: 'Session' }));

const ingestResultSchema = z.object({
  eventId: z.string(),
  status: z.enum(['accepted', 'duplicate']),
  matchedRuleIds: z.array(z.string()),
  expiresAt: z.string(),
}).check(
  z.meta({
    id: 'IngestResult',
    example: { eventId: '9f1c5e2a', status: 'accepted', matchedRuleIds: ['crecr-0a1b2c3d4e5f6g7h'], expiresAt: '2026-11-23T08:00:00.000Z' },
  }),
);

const itemErrorSchema = z.object({
  code: z.string(),
  message: z.string(),
  details: z.optional(z.array(z.object({ path: z.string(), message: z.string() }))),
});

const ingestBatchResultSchema = z
  .object({
    results: z.array(
      z.object({
        index: z.int(),
        eventId: z.optional(z.string()),
        status: z.enum(['accepted', 'duplicate', 'rejected']),
        matchedRuleIds: z.optional(z.array(z.string())),
        expiresAt: z.optional(z.string()),
        error: z.optional(itemErrorSchema),
      }),
    ),
  })
  .check(z.meta({ id: 'IngestBatchResult' }));

const ruleTestResultSchema = z
  .object({
    outcome: z.enum(['delivered', 'failed']),
    httpStatus: z.optional(z.int()),
    providerCode: z.optional(z.int()),
    durationMs: z.number(),
    error: z.optional(z.string()),
  })
  .check(z.meta({ id: 'RuleTestResult', example: { outcome: 'delivered', httpStatus: 200, providerCode: 0, durationMs: 182.4 } }));

const deliveryCountsSchema = z.object({ total: z.number(), delivered: z.number(), pending: z.number(), failed: z.number(), dead: z.number() });

const eventSummaryFields = {
  ...eventIdentityShape,
  receivedAt: z.string(),
  expiresAt: z.string(),
  matchedRuleIds: z.array(z.string()),
};

const eventSummarySchema = z.object({ ...eventSummaryFields, deliveries: deliveryCountsSchema }).check(z.meta({ id: 'EventSummary' }));
const eventListSchema = z.object({ events: z.array(eventSummarySchema), nextToken: z.nullable(z.string()) }).check(z.meta({ id: 'EventList' }));

const attemptSchema = z.object(attemptShape).check(z.meta({ id: 'Attempt' }));

const eventTraceSchema = z
  .object({
    ...eventSummaryFields,
    event: z.record(z.string(), z.unknown()).check(z.describe('The CloudEvent exactly as received')),
    deliveries: z.array(
      z.object({
        ruleId: z.string(),
        ruleName: z.string(),
        method: z.enum(NOTIFY_METHODS),
        target: z.string().check(z.describe("Masked: a chat webhook's credential part shows its last 4 characters")),
        state: deliveryStateSchema,
        attempts: z.array(attemptSchema),
        deliveredAt: z.optional(z.string()),
        nextAttemptAt: z.optional(z.string()),
        deadReason: z.optional(z.string()),
      }),
    ),
    source: z.optional(
      z
        .object({ sourceId: z.string(), name: z.string(), kind: z.enum(SOURCE_KINDS), index: z.int(), payload: z.unknown() })
        .check(z.describe("Events a registry source produced: the source, the item's index in the native payload, and that payload as received")),
    ),
  })
  .check(z.meta({ id: 'EventTrace' }));

const sourceFields = {
  sourceId: z.string(),
  name: z.string(),
  kind: z.enum(SOURCE_KINDS),
  regionId: z.string(),
  instanceId: z.string(),
  ingestUrl: z.string().check(z.describe("Where the registry posts its webhooks: POST with Authorization: Bearer <token>")),
  createdAt: z.string(),
};
const sourceSchema = z.object(sourceFields).check(z.meta({ id: 'Source' }));
const sourceListSchema = z.object({ sources: z.array(sourceSchema) }).check(z.meta({ id: 'SourceList' }));
const createdSourceSchema = z
  .object({ ...sourceFields, token: z.string().check(z.describe('The bearer token for ingestUrl. Shown once; only its hash is stored.')) })
  .check(z.meta({ id: 'CreatedSource' }));
const sourceIngestResultSchema = z
  .object({
    results: z.array(
      z.object({
        index: z.int().check(z.describe("The item's position in the native payload (repeated when one item yields several events)")),
        eventId: z.optional(z.string()),
        status: z.enum(['accepted', 'duplicate', 'ignored', 'rejected']),
        matchedRuleIds: z.optional(z.array(z.string())),
        expiresAt: z.optional(z.string()),
        error: z.optional(itemErrorSchema),
      }),
    ),
  })
  .check(z.meta({ id: 'SourceIngestResult' }));

const redeliverResponseSchema = z.object({ requeued: z.array(z.string()) }).check(z.meta({ id: 'RedeliverResult' }));

export const RESPONSE_SCHEMAS = {
  Error: errorEnvelopeSchema,
  Health: healthSchema,
  ApiKeyList: apiKeyListSchema,
  CreatedApiKey: createdApiKeySchema,
  Rule: ruleSchema,
  RuleList: ruleListSchema,
  Me: meSchema,
  Session: sessionSchema,
  RuleTestResult: ruleTestResultSchema,
  IngestResponse: z.union([ingestResultSchema, ingestBatchResultSchema]),
  EventList: eventListSchema,
  EventTrace: eventTraceSchema,
  RedeliverResult: redeliverResponseSchema,
  RequeuedCount: z.object({ requeued: z.int() }).check(z.meta({ id: 'RequeuedCount', example: { requeued: 42 } })),
  ChatbotList: z
    .object({
      chatbots: z.array(
        z.object({
          method: z.string(),
          bot: z.string(),
          ruleIds: z.array(z.string()),
          windows: z.array(z.object({ limit: z.int(), windowSeconds: z.int(), used: z.int() })),
          pausedUntil: z.optional(z.string()),
          waiting: z.int(),
          nextFlushAt: z.optional(z.string()),
        }),
      ),
    })
    .check(z.meta({ id: 'ChatbotList' })),
  AlertTarget: z.object({ notify: maskedNotifySchema }).check(z.meta({ id: 'AlertTarget' })),
  Source: sourceSchema,
  SourceList: sourceListSchema,
  CreatedSource: createdSourceSchema,
  SourceIngestResult: sourceIngestResultSchema,
} satisfies Record<string, z.core.$ZodType>;

export type ResponseSchemaName = keyof typeof RESPONSE_SCHEMAS;

/** Compiles only when A and B are the same type: a documented shape cannot drift from the code's own type. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;
export type _DocumentedTypesMatch = [
  Assert<Same<z.output<typeof ruleSchema>, RuleView>>,
  Assert<Same<z.output<typeof apiKeySummarySchema>, ApiKeySummary>>,
  Assert<Same<z.output<typeof ruleTestResultSchema>, RuleTestResult>>,
  Assert<Same<z.output<typeof meSchema>, Me>>,
  Assert<Same<z.output<typeof sourceSchema>, SourceView>>,
];
