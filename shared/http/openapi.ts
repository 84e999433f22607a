/**
 * The OpenAPI 3.1 document, generated from the route table, every function's input
 * schemas and the response schemas. Only the meta function loads this module, and only
 * when GET /v1/openapi.json is asked for (a dynamic
 * import), so no function builds the
 * schemas of the others at start-up.
 */
import * as z from 'zod/mini';
import { SESSION_COOKIE } from '../domain/sessions';
import { apiKeysInputs } from './inputs/apiKeys';
import { eventsInputs } from './inputs/events';
import { ingestInputs } from './inputs/ingest';
import { metaInputs } from './inputs/meta';
import { rulesInputs } from './inputs/rules';
import { sourceEventsInputs } from './inputs/sourceEvents';
import { sourcesInputs } from './inputs/sources';
import { RESPONSE_SCHEMAS } from './responseSchemas';
import { ROUTES } from './routeTable';
import type { RouteInputs, RouteSpec } from './routeTable';

type JsonObject = Record<string, unknown>;

const INPUTS: Readonly<Record<string, RouteInputs | undefined>> = {
  ...metaInputs,
  ...apiKeysInputs,
  ...rulesInputs,
  ...ingestInputs,
  ...eventsInputs,
  ...sourcesInputs,
  ...sourceEventsInputs,
};

const ref = (id: string) => `#/components/schemas/${id}`;

/** Inline JSON Schema for one schema; nested schemas with an id point into components. */
function schemaOf(schema: z.core.$ZodType, io: 'input' | 'output'): JsonObject {
  const id = z.globalRegistry.get(schema)?.id;
  if (id) return { $ref: ref(id) };
  const json = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as JsonObject;
  delete json.$schema;
  delete json.$defs;
  return JSON.parse(JSON.stringify(json).replaceAll('"#/$defs/', '"#/components/schemas/')) as JsonObject;
}

/**
 * Every schema with an id, as a component. All of them: an inline schema may point at
 * any of them (a CloudEvent inside the ingest body, an Attempt inside a trace).
 */
function components(): JsonObject {
  const out = z.toJSONSchema(z.globalRegistry, { target: 'draft-2020-12', uri: ref, unrepresentable: 'any' }) as {
    schemas: Record<string, JsonObject>;
  };
  for (const schema of Object.values(out.schemas)) {
    delete schema.$schema;
    delete schema.id;
    if ('example' in schema) {
      schema.examples = [schema.example];
      delete schema.example;
    }
  }
  return out.schemas;
}

function operation(route: RouteSpec): JsonObject {
  const inputs = INPUTS[route.operationId] ?? {};
  const body = inputs.body;
  const parameters = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => {
    const schema = inputs.params?.[m[1] ?? ''];
    return { name: m[1], in: 'path', required: true, schema: schema ? schemaOf(schema, 'input') : { type: 'string' } };
  });
  const responses: JsonObject = {};
  for (const [status, response] of Object.entries(route.responses)) {
    const schema = response.schema ? RESPONSE_SCHEMAS[response.schema] : undefined;
    responses[status] = {
      description: response.description,
      ...(schema ? { content: { 'application/json': { schema: schemaOf(schema, 'output') } } } : {}),
    };
  }
  return {
    operationId: route.operationId,
    summary: route.summary,
    tags: route.tags,
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(route.auth === 'none' ? { security: [] } : {}),
    ...(route.auth === 'sourceToken' ? { security: [{ sourceToken: [] }] } : {}),
    ...(route.auth !== 'none' && route.auth !== 'admin' && route.auth !== 'any' && route.auth !== 'sourceToken' ? { 'x-required-scope': route.auth } : {}),
    ...(body ? { requestBody: { required: true, content: { 'application/json': { schema: schemaOf(body, 'input') } } } } : {}),
    responses,
  };
}

export function buildOpenApiDocument(version: string): JsonObject {
  const paths: Record<string, JsonObject> = {};
  for (const route of ROUTES) {
    paths[route.path] = { ...(paths[route.path] ?? {}), [route.method.toLowerCase()]: operation(route) };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Registry event notifications',
      version,
      description: 'Event rules, CloudEvents ingest, DingTalk and webhook delivery with per-attempt traces.',
    },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }, { session: [] }],
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'An API key' },
        session: {
          type: 'apiKey',
          in: 'cookie',
          name: SESSION_COOKIE,
          description: 'The console session from POST /v1/sessions; state-changing requests also need x-requested-with: console',
        },
        sourceToken: { type: 'http', scheme: 'bearer', description: "A registry source's token (shown once when the source is created)" },
      },
      schemas: components(),
    },
    paths,
  };
}
