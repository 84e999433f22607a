/**
 * Every HTTP route of SPEC §4: the function that serves it, who may call it and what it
 * answers. One table feeds routing (404/405), auth and the OpenAPI document, and
 * test/unit/routeTable.test.ts checks it against serverless.yml so the two cannot drift.
 * It holds no schemas, so every function can carry all of it (meta answers 404/405 for
 * every path); each function's input schemas are in ./inputs/<function>.ts (declared with
 * ./routeInputs.ts, which types each operation's argument from them), and response
 * schemas are built only for the OpenAPI document (./responseSchemas.ts), by name.
 */
import type { Scope } from '../domain/apiKeys';
import type { ResponseSchemaName } from './responseSchemas';

export type FunctionName = 'meta' | 'apiKeys' | 'rules' | 'ingest' | 'events' | 'sources' | 'sourceEvents';
/**
 * `any`: any valid API key or console session, whatever its scopes. `sourceToken`: the
 * bearer is a registry source's token for the path's source (SPEC §11), not an API key.
 */
export type RouteAuth = 'none' | 'any' | 'admin' | Scope | 'sourceToken';

/** Response headers the OpenAPI document declares (components.headers in openapi.ts). */
export type ResponseHeader = 'ETag' | 'Location' | 'Retry-After' | 'Set-Cookie';

/**
 * What a body-taking route accepts: `json` (application/json), `cloudEvents` (the three
 * CloudEvents HTTP modes: structured, batch and binary with ce-* headers) or `native`
 * (a registry's own webhook body, in whatever JSON media type it sends).
 */
export type RequestMedia = 'json' | 'cloudEvents' | 'native';

/** Whose token bucket a rate-limited route draws from. */
export type RateLimitPer = 'apiKey' | 'source';

export interface RouteResponse {
  description: string;
  schema?: ResponseSchemaName;
  headers?: readonly ResponseHeader[];
}

export interface RouteSpec {
  operationId: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  fn: FunctionName;
  auth: RouteAuth;
  summary: string;
  tags: readonly string[];
  /** Request headers it reads: `If-Match` (optimistic concurrency on a rule). */
  requestHeaders?: readonly 'If-Match'[];
  /** Media types of its body, when it takes one (default `json`). */
  media?: RequestMedia;
  /**
   * A token bucket per caller in front of the operation (429 with Retry-After): per API key
   * (`apiKey`) or per registry source (`source`). See middlewares/rateLimit.ts.
   */
  rateLimit?: RateLimitPer;
  /**
   * Documented responses, each with the name of its schema in responseSchemas.ts and the
   * headers it sets. Answers every route gives (400 for an unknown query parameter, 401,
   * 403, 413, 415 for a body, 500) are added by openapi.ts from the route's auth and inputs.
   */
  responses: Readonly<Record<number, RouteResponse>>;
}

const errors = {
  400: { description: 'Invalid request (MalformedJson, ValidationFailed)', schema: 'Error' },
  401: { description: 'Missing or unknown API key (Unauthorized)', schema: 'Error' },
  403: { description: 'Key lacks the scope or instance (Forbidden)', schema: 'Error' },
  413: { description: 'Body over 256 KiB (PayloadTooLarge)', schema: 'Error' },
} as const;

const retryAfter = ['Retry-After'] as const;

export const ROUTES = [
  {
    operationId: 'getHealth',
    method: 'GET',
    path: '/v1/health',
    fn: 'meta',
    auth: 'none',
    summary: 'Liveness and version; with ?deep=true also the table and the queue',
    tags: ['meta'],
    responses: {
      200: { description: 'Service is up (deep: every part answered)', schema: 'Health' },
      400: errors[400],
      503: { description: 'Deep check: a part is down; `failing` names it', schema: 'Health' },
    },
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
    responses: { 201: { description: 'Created; Location header', schema: 'CreatedApiKey', headers: ['Location'] }, ...errors },
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
      200: { description: 'Keys', schema: 'ApiKeyList' },
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
    responses: {
      204: { description: 'Revoked' },
      401: errors[401],
      403: errors[403],
      404: { description: 'No such key (ApiKeyNotFound)', schema: 'Error' },
    },
  },
  {
    operationId: 'createSession',
    method: 'POST',
    path: '/v1/sessions',
    fn: 'apiKeys',
    auth: 'none',
    summary: 'Console sign-in: trade an API key for an HttpOnly session cookie (at most 8 h)',
    tags: ['sessions'],
    responses: {
      201: { description: 'Signed in; Set-Cookie carries the session', schema: 'Session', headers: ['Set-Cookie'] },
      400: errors[400],
      401: { description: 'Unknown or revoked API key (Unauthorized)', schema: 'Error' },
      413: errors[413],
    },
  },
  {
    operationId: 'endSession',
    method: 'DELETE',
    path: '/v1/sessions/current',
    fn: 'apiKeys',
    auth: 'any',
    summary: 'Sign out: ends the console session and clears its cookie',
    tags: ['sessions'],
    responses: { 204: { description: 'Signed out; Set-Cookie clears the session cookie', headers: ['Set-Cookie'] }, 401: errors[401], 403: errors[403] },
  },
  {
    operationId: 'getMe',
    method: 'GET',
    path: '/v1/me',
    fn: 'apiKeys',
    auth: 'any',
    summary: 'Who the caller is: admin or a key, with its scopes and instances',
    tags: ['sessions'],
    responses: { 200: { description: 'The caller', schema: 'Me' }, 401: errors[401] },
  },
  {
    operationId: 'createRule',
    method: 'POST',
    path: '/v1/instances/{instanceId}/rules',
    fn: 'rules',
    auth: 'rules:write',
    summary: 'Create an event rule (scope, event types/statuses, tag pattern, notification target)',
    tags: ['rules'],
    responses: {
      201: { description: 'Created; Location and ETag headers', schema: 'Rule', headers: ['Location', 'ETag'] },
      ...errors,
      409: { description: 'RuleNameConflict or RuleLimitExceeded', schema: 'Error' },
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
    responses: { 200: { description: 'Rules', schema: 'RuleList' }, 401: errors[401], 403: errors[403] },
  },
  {
    operationId: 'getRule',
    method: 'GET',
    path: '/v1/instances/{instanceId}/rules/{ruleId}',
    fn: 'rules',
    auth: 'rules:read',
    summary: 'Get a rule (secrets masked), with its ETag',
    tags: ['rules'],
    responses: {
      200: { description: 'The rule', schema: 'Rule', headers: ['ETag'] },
      401: errors[401],
      403: errors[403],
      404: { description: 'RuleNotFound', schema: 'Error' },
    },
  },
  {
    operationId: 'updateRule',
    method: 'PATCH',
    path: '/v1/instances/{instanceId}/rules/{ruleId}',
    fn: 'rules',
    auth: 'rules:write',
    summary: 'Merge top-level fields into a rule; honours If-Match; bumps version',
    requestHeaders: ['If-Match'],
    tags: ['rules'],
    responses: {
      200: { description: 'The updated rule; new ETag', schema: 'Rule', headers: ['ETag'] },
      ...errors,
      404: { description: 'RuleNotFound', schema: 'Error' },
      409: { description: 'RuleNameConflict or RuleLimitExceeded', schema: 'Error' },
      412: { description: 'PreconditionFailed (stale If-Match)', schema: 'Error' },
    },
  },
  {
    operationId: 'deleteRule',
    method: 'DELETE',
    path: '/v1/instances/{instanceId}/rules/{ruleId}',
    fn: 'rules',
    auth: 'rules:write',
    summary: 'Delete a rule (frees a quota slot); honours If-Match',
    requestHeaders: ['If-Match'],
    tags: ['rules'],
    responses: {
      204: { description: 'Deleted' },
      401: errors[401],
      403: errors[403],
      404: { description: 'RuleNotFound', schema: 'Error' },
      412: { description: 'PreconditionFailed (stale If-Match)', schema: 'Error' },
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
    responses: {
      200: { description: 'What the target answered', schema: 'RuleTestResult' },
      401: errors[401],
      403: errors[403],
      404: { description: 'RuleNotFound', schema: 'Error' },
      429: { description: "RateLimited: no send left in the chatbot's window, or the chatbot is paused by its provider (Retry-After)", schema: 'Error', headers: retryAfter },
    },
  },
  {
    operationId: 'resumeRule',
    method: 'POST',
    path: '/v1/instances/{instanceId}/rules/{ruleId}/resume',
    fn: 'rules',
    auth: 'rules:write',
    summary: 'End a suspension: re-queue every held delivery still within retention (held ones past it end dead)',
    tags: ['rules', 'operations'],
    responses: {
      202: { description: 'Held deliveries re-queued', schema: 'RequeuedCount' },
      401: errors[401],
      403: errors[403],
      404: { description: 'RuleNotFound', schema: 'Error' },
    },
  },
  {
    operationId: 'listChatbots',
    method: 'GET',
    path: '/v1/instances/{instanceId}/chatbots',
    fn: 'rules',
    auth: 'rules:read',
    summary: "Every chatbot the instance's rules point at (masked): each window's use, pause, waiting mail, next flush",
    tags: ['operations'],
    responses: { 200: { description: 'Chatbots', schema: 'ChatbotList' }, 401: errors[401], 403: errors[403] },
  },
  {
    operationId: 'putAlertTarget',
    method: 'PUT',
    path: '/v1/instances/{instanceId}/alerts',
    fn: 'rules',
    auth: 'rules:write',
    summary: 'Set where notices go when a rule is suspended or recovers (any notify method; secrets sealed)',
    tags: ['operations'],
    responses: { 200: { description: 'The alert target, masked', schema: 'AlertTarget' }, ...errors, 400: { description: 'ValidationFailed or TargetNotAllowed', schema: 'Error' } },
  },
  {
    operationId: 'getAlertTarget',
    method: 'GET',
    path: '/v1/instances/{instanceId}/alerts',
    fn: 'rules',
    auth: 'rules:write',
    summary: "The instance's alert target, masked",
    tags: ['operations'],
    responses: { 200: { description: 'The alert target', schema: 'AlertTarget' }, 401: errors[401], 403: errors[403], 404: { description: 'AlertTargetNotFound', schema: 'Error' } },
  },
  {
    operationId: 'deleteAlertTarget',
    method: 'DELETE',
    path: '/v1/instances/{instanceId}/alerts',
    fn: 'rules',
    auth: 'rules:write',
    summary: "Remove the instance's alert target",
    tags: ['operations'],
    responses: { 204: { description: 'Removed' }, 401: errors[401], 403: errors[403], 404: { description: 'AlertTargetNotFound', schema: 'Error' } },
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
    media: 'cloudEvents',
    rateLimit: 'apiKey',
    responses: {
      202: { description: 'Accepted or duplicate (single); per-item results (batch)', schema: 'IngestResponse' },
      ...errors,
      409: { description: 'EventIdConflict: same id, different content', schema: 'Error' },
      415: { description: 'UnsupportedMediaType', schema: 'Error' },
      429: { description: 'RateLimited: too many requests for this API key (Retry-After)', schema: 'Error', headers: retryAfter },
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
    responses: { 200: { description: 'A page of event summaries', schema: 'EventList' }, 400: errors[400], 401: errors[401], 403: errors[403] },
  },
  {
    operationId: 'getEvent',
    method: 'GET',
    path: '/v1/events/{eventId}',
    fn: 'events',
    auth: 'events:read',
    summary: 'One event as received, with every delivery and its attempts (the trace)',
    tags: ['events'],
    responses: {
      200: { description: 'The event and its trace', schema: 'EventTrace' },
      401: errors[401],
      403: errors[403],
      404: { description: 'EventNotFound (also for events of instances the key may not read)', schema: 'Error' },
      409: { description: 'EventIdAmbiguous: several instances the key may read have this id', schema: 'Error' },
    },
  },
  {
    operationId: 'getInstanceEvent',
    method: 'GET',
    path: '/v1/instances/{instanceId}/events/{eventId}',
    fn: 'events',
    auth: 'events:read',
    summary: "One event of an instance (ids are unique per instance), with every delivery and its attempts",
    tags: ['events'],
    responses: {
      200: { description: 'The event and its trace', schema: 'EventTrace' },
      401: errors[401],
      403: errors[403],
      404: { description: 'EventNotFound', schema: 'Error' },
    },
  },
  {
    operationId: 'redeliverInstanceEvent',
    method: 'POST',
    path: '/v1/instances/{instanceId}/events/{eventId}/redeliver',
    fn: 'events',
    auth: 'events:write',
    summary: 'Queue failed/dead deliveries of one instance\'s event again',
    tags: ['events'],
    responses: {
      202: { description: 'Re-queued rule ids', schema: 'RedeliverResult' },
      ...errors,
      404: { description: 'EventNotFound, or RuleNotFound: no such rule on the instance (any more), or the event has no delivery for it', schema: 'Error' },
    },
  },
  {
    operationId: 'bulkRedeliver',
    method: 'POST',
    path: '/v1/instances/{instanceId}/redeliver',
    fn: 'events',
    auth: 'events:write',
    summary: 'Queue again every failed/dead delivery of the instance (optionally one rule, optionally reached that state within since..until), in bounded batches',
    tags: ['events', 'operations'],
    responses: {
      202: { description: 'How many deliveries were re-queued', schema: 'RequeuedCount' },
      ...errors,
      404: { description: 'RuleNotFound: no such rule on the instance (any more)', schema: 'Error' },
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
    responses: {
      202: { description: 'Re-queued rule ids', schema: 'RedeliverResult' },
      ...errors,
      404: { description: 'EventNotFound, or RuleNotFound: no such rule on the instance (any more), or the event has no delivery for it', schema: 'Error' },
      409: { description: 'EventIdAmbiguous: several instances the key may read have this id', schema: 'Error' },
    },
  },
  {
    operationId: 'createSource',
    method: 'POST',
    path: '/v1/instances/{instanceId}/sources',
    fn: 'sources',
    auth: 'rules:write',
    summary: "Create a registry source (harbor, distribution, ecr, acr). Its token is shown once.",
    tags: ['sources'],
    responses: { 201: { description: 'Created; Location header', schema: 'CreatedSource', headers: ['Location'] }, ...errors },
  },
  {
    operationId: 'listSources',
    method: 'GET',
    path: '/v1/instances/{instanceId}/sources',
    fn: 'sources',
    auth: 'rules:read',
    summary: 'List the registry sources of an instance (never their tokens)',
    tags: ['sources'],
    responses: { 200: { description: 'Sources', schema: 'SourceList' }, 401: errors[401], 403: errors[403] },
  },
  {
    operationId: 'getSource',
    method: 'GET',
    path: '/v1/instances/{instanceId}/sources/{sourceId}',
    fn: 'sources',
    auth: 'rules:read',
    summary: 'Get a registry source (never its token)',
    tags: ['sources'],
    responses: {
      200: { description: 'The source', schema: 'Source' },
      401: errors[401],
      403: errors[403],
      404: { description: 'SourceNotFound', schema: 'Error' },
    },
  },
  {
    operationId: 'deleteSource',
    method: 'DELETE',
    path: '/v1/instances/{instanceId}/sources/{sourceId}',
    fn: 'sources',
    auth: 'rules:write',
    summary: 'Delete a registry source; its token stops working within 5 seconds',
    tags: ['sources'],
    responses: {
      204: { description: 'Deleted' },
      401: errors[401],
      403: errors[403],
      404: { description: 'SourceNotFound', schema: 'Error' },
    },
  },
  {
    operationId: 'ingestSourceEvents',
    method: 'POST',
    path: '/v1/sources/{sourceId}/events',
    fn: 'sourceEvents',
    auth: 'sourceToken',
    summary:
      "A registry's native webhook, authenticated by the source's token: Harbor (Default or CloudEvents format), CNCF Distribution envelopes, Amazon ECR EventBridge events, ACR CloudEvents",
    tags: ['sources'],
    media: 'native',
    rateLimit: 'source',
    responses: {
      202: { description: 'One result per native item (accepted, duplicate, ignored or rejected)', schema: 'SourceIngestResult' },
      400: errors[400],
      401: { description: "Missing, wrong or revoked source token (Unauthorized)", schema: 'Error' },
      413: errors[413],
      415: { description: 'UnsupportedMediaType', schema: 'Error' },
      429: { description: 'RateLimited: too many requests for this source (Retry-After)', schema: 'Error', headers: retryAfter },
    },
  },
] as const satisfies readonly RouteSpec[];

export type OperationId = (typeof ROUTES)[number]['operationId'];
/** The operations one function serves. */
export type OperationOf<F extends FunctionName> = Extract<(typeof ROUTES)[number], { fn: F }>['operationId'];
