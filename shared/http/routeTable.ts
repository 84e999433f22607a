/**
 * Every HTTP route of SPEC §4, with the function that serves it, who may call it and
 * the zod schemas of its input and output. One table feeds routing (404/405), auth,
 * validation and the OpenAPI document; test/unit/routeTable.test.ts checks it against
 * serverless.yml so the two cannot drift.
 */
import * as z from 'zod';
import type { Scope } from '../domain/apiKeys';
import { apiKeySummarySchema, createApiKeyRequestSchema, createdApiKeySchema, keyIdSchema } from '../domain/apiKeys';
import {
  errorEnvelopeSchema,
  eventListSchema,
  eventTraceSchema,
  healthSchema,
  historyQuerySchema,
  ingestBodySchema,
  ingestResponseSchema,
  redeliverRequestSchema,
  redeliverResponseSchema,
  ruleTestResultSchema,
} from './schemas';
import {
  createRuleRequestSchema,
  instanceIdSchema,
  ruleIdSchema,
  ruleListSchema,
  ruleSchema,
  updateRuleRequestSchema,
} from '../domain/rules';

export type FunctionName = 'meta' | 'apiKeys' | 'rules' | 'ingest' | 'events';
export type RouteAuth = 'none' | 'admin' | Scope;

export interface RouteSpec {
  operationId: string;
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  path: string;
  fn: FunctionName;
  auth: RouteAuth;
  summary: string;
  tags: string[];
  /** Schemas for path parameters, validated after auth. */
  params?: Record<string, z.ZodType<string>>;
  body?: z.ZodType;
  /** false: the body is parsed as JSON but validated by the operation (e.g. per batch item). */
  validateBody?: boolean;
  query?: z.ZodType;
  /** Documented responses; routes without them are declared but not yet in OpenAPI. */
  responses?: Record<number, { description: string; schema?: z.ZodType }>;
}

const errors = {
  400: { description: 'Invalid request (MalformedJson, ValidationFailed)', schema: errorEnvelopeSchema },
  401: { description: 'Missing or unknown API key (Unauthorized)', schema: errorEnvelopeSchema },
  403: { description: 'Key lacks the scope or instance (Forbidden)', schema: errorEnvelopeSchema },
  413: { description: 'Body over 256 KiB (PayloadTooLarge)', schema: errorEnvelopeSchema },
};

const eventIdSchema = z.string().regex(/^[\x20-\x7E]{1,128}$/, 'must be 1–128 printable ASCII characters');

export const ROUTES: readonly RouteSpec[] = [
  {
    operationId: 'getHealth',
    method: 'GET',
    path: '/v1/health',
    fn: 'meta',
    auth: 'none',
    summary: 'Liveness and version',
    tags: ['meta'],
    responses: { 200: { description: 'Service is up', schema: healthSchema } },
  },
  {
    operationId: 'getOpenApi',
    method: 'GET',
    path: '/v1/openapi.json',
    fn: 'meta',
    auth: 'none',
    summary: 'This OpenAPI 3.1 document',
    tags: ['meta'],
    responses: { 200: { description: 'OpenAPI document' } },
  },
  {
    operationId: 'createApiKey',
    method: 'POST',
    path: '/v1/api-keys',
    fn: 'apiKeys',
    auth: 'admin',
    summary: 'Create a scoped API key (admin). The key is shown once.',
    tags: ['api-keys'],
    body: createApiKeyRequestSchema,
    responses: { 201: { description: 'Created', schema: createdApiKeySchema }, ...errors },
  },
  {
    operationId: 'listApiKeys',
    method: 'GET',
    path: '/v1/api-keys',
    fn: 'apiKeys',
    auth: 'admin',
    summary: 'List API keys without secrets (admin)',
    tags: ['api-keys'],
    responses: {
      200: { description: 'Keys', schema: apiKeySummarySchema.array() },
      401: errors[401],
      403: errors[403],
    },
  },
  {
    operationId: 'revokeApiKey',
    method: 'DELETE',
    path: '/v1/api-keys/{keyId}',
    fn: 'apiKeys',
    auth: 'admin',
    summary: 'Revoke an API key (admin); effective within 5 seconds',
    tags: ['api-keys'],
    params: { keyId: keyIdSchema },
    responses: {
      204: { description: 'Revoked' },
      401: errors[401],
      403: errors[403],
      404: { description: 'No such key (ApiKeyNotFound)', schema: errorEnvelopeSchema },
    },
  },
  // Declared in serverless.yml now; their contracts arrive with the rules, ingest and history issues.
  {
    operationId: 'createRule',
    method: 'POST',
    path: '/v1/instances/{instanceId}/rules',
    fn: 'rules',
    auth: 'rules:write',
    summary: 'Create an event rule (scope, event types/statuses, tag pattern, notification target)',
    tags: ['rules'],
    params: { instanceId: instanceIdSchema },
    body: createRuleRequestSchema,
    responses: {
      201: { description: 'Created; Location and ETag headers', schema: ruleSchema },
      ...errors,
      409: { description: 'RuleNameConflict or RuleLimitExceeded', schema: errorEnvelopeSchema },
    },
  },
  {
    operationId: 'listRules',
    method: 'GET',
    path: '/v1/instances/{instanceId}/rules',
    fn: 'rules',
    auth: 'rules:read',
    summary: 'List the rules of an instance (secrets masked)',
    tags: ['rules'],
    params: { instanceId: instanceIdSchema },
    responses: { 200: { description: 'Rules', schema: ruleListSchema }, 401: errors[401], 403: errors[403] },
  },
  {
    operationId: 'getRule',
    method: 'GET',
    path: '/v1/instances/{instanceId}/rules/{ruleId}',
    fn: 'rules',
    auth: 'rules:read',
    summary: 'Get a rule (secrets masked), with its ETag',
    tags: ['rules'],
    params: { instanceId: instanceIdSchema, ruleId: ruleIdSchema },
    responses: {
      200: { description: 'The rule', schema: ruleSchema },
      401: errors[401],
      403: errors[403],
      404: { description: 'RuleNotFound', schema: errorEnvelopeSchema },
    },
  },
  {
    operationId: 'updateRule',
    method: 'PATCH',
    path: '/v1/instances/{instanceId}/rules/{ruleId}',
    fn: 'rules',
    auth: 'rules:write',
    summary: 'Merge top-level fields into a rule; honours If-Match; bumps version',
    tags: ['rules'],
    params: { instanceId: instanceIdSchema, ruleId: ruleIdSchema },
    body: updateRuleRequestSchema,
    responses: {
      200: { description: 'The updated rule; new ETag', schema: ruleSchema },
      ...errors,
      404: { description: 'RuleNotFound', schema: errorEnvelopeSchema },
      409: { description: 'RuleNameConflict or RuleLimitExceeded', schema: errorEnvelopeSchema },
      412: { description: 'PreconditionFailed (stale If-Match)', schema: errorEnvelopeSchema },
    },
  },
  {
    operationId: 'deleteRule',
    method: 'DELETE',
    path: '/v1/instances/{instanceId}/rules/{ruleId}',
    fn: 'rules',
    auth: 'rules:write',
    summary: 'Delete a rule (frees a quota slot); honours If-Match',
    tags: ['rules'],
    params: { instanceId: instanceIdSchema, ruleId: ruleIdSchema },
    responses: {
      204: { description: 'Deleted' },
      401: errors[401],
      403: errors[403],
      404: { description: 'RuleNotFound', schema: errorEnvelopeSchema },
      412: { description: 'PreconditionFailed (stale If-Match)', schema: errorEnvelopeSchema },
    },
  },
  {
    operationId: 'testRule',
    method: 'POST',
    path: '/v1/instances/{instanceId}/rules/{ruleId}/test',
    fn: 'rules',
    auth: 'rules:write',
    summary: "Send one sample notification now (counts against the chatbot's limit)",
    tags: ['rules'],
    params: { instanceId: instanceIdSchema, ruleId: ruleIdSchema },
    responses: {
      200: { description: 'What the target answered', schema: ruleTestResultSchema },
      401: errors[401],
      403: errors[403],
      404: { description: 'RuleNotFound', schema: errorEnvelopeSchema },
      429: { description: 'RateLimited: no send left in the window (Retry-After)', schema: errorEnvelopeSchema },
    },
  },
  {
    operationId: 'ingestEvents',
    method: 'POST',
    path: '/v1/events',
    fn: 'ingest',
    auth: 'events:write',
    summary:
      'Ingest CloudEvents: structured (application/cloudevents+json or application/json), batch (application/cloudevents-batch+json, 1–100) or binary (ce-* headers, body = data)',
    tags: ['events'],
    body: ingestBodySchema,
    validateBody: false,
    responses: {
      202: { description: 'Accepted or duplicate (single); per-item results (batch)', schema: ingestResponseSchema },
      ...errors,
      409: { description: 'EventIdConflict: same id, different content', schema: errorEnvelopeSchema },
      415: { description: 'UnsupportedMediaType', schema: errorEnvelopeSchema },
    },
  },
  {
    operationId: 'listEvents',
    method: 'GET',
    path: '/v1/instances/{instanceId}/events',
    fn: 'events',
    auth: 'events:read',
    summary: 'Event history of an instance, newest first, with filters and an opaque nextToken',
    tags: ['events'],
    params: { instanceId: instanceIdSchema },
    query: historyQuerySchema,
    responses: { 200: { description: 'A page of event summaries', schema: eventListSchema }, 400: errors[400], 401: errors[401], 403: errors[403] },
  },
  {
    operationId: 'getEvent',
    method: 'GET',
    path: '/v1/events/{eventId}',
    fn: 'events',
    auth: 'events:read',
    summary: 'One event as received, with every delivery and its attempts (the trace)',
    tags: ['events'],
    params: { eventId: eventIdSchema },
    responses: {
      200: { description: 'The event and its trace', schema: eventTraceSchema },
      401: errors[401],
      403: errors[403],
      404: { description: 'EventNotFound (also for events of instances the key may not read)', schema: errorEnvelopeSchema },
    },
  },
  {
    operationId: 'redeliverEvent',
    method: 'POST',
    path: '/v1/events/{eventId}/redeliver',
    fn: 'events',
    auth: 'events:write',
    summary: 'Queue failed/dead deliveries of an event again (attempt numbering continues)',
    tags: ['events'],
    params: { eventId: eventIdSchema },
    body: redeliverRequestSchema.optional(),
    responses: {
      202: { description: 'Re-queued rule ids', schema: redeliverResponseSchema },
      ...errors,
      404: { description: 'EventNotFound', schema: errorEnvelopeSchema },
    },
  },
];

