/** The OpenAPI 3.1 document, generated from the route table and its zod schemas. */
import * as z from 'zod';
import { ROUTES } from './routeTable';
import type { RouteSpec } from './routeTable';

type JsonObject = Record<string, unknown>;

const ref = (id: string) => `#/components/schemas/${id}`;

/** Inline JSON Schema for one schema; nested schemas with an id point into components. */
function schemaOf(schema: z.ZodType, io: 'input' | 'output'): JsonObject {
  const id = z.globalRegistry.get(schema)?.id;
  if (id) return { $ref: ref(id) };
  const json = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as JsonObject;
  delete json.$schema;
  delete json.$defs;
  return JSON.parse(JSON.stringify(json).replaceAll('"#/$defs/', '"#/components/schemas/')) as JsonObject;
}

/** Every schema with an id that the documented routes use, directly or nested. */
function collectComponents(routes: readonly RouteSpec[]): JsonObject {
  const registry = z.registry<{ id: string; example?: unknown }>();
  const add = (schema: z.ZodType | undefined) => {
    const meta = schema ? z.globalRegistry.get(schema) : undefined;
    if (schema && meta?.id && !registry.has(schema)) registry.add(schema, { id: meta.id, example: meta.example });
  };
  for (const route of routes) {
    add(route.body);
    for (const response of Object.values(route.responses ?? {})) {
      add(response.schema);
      // Arrays and wrappers of registered schemas: register what they wrap.
      const inner = response.schema instanceof z.ZodArray ? (response.schema.element as z.ZodType) : undefined;
      add(inner);
    }
  }
  const out = z.toJSONSchema(registry, { target: 'draft-2020-12', uri: ref, unrepresentable: 'any' }) as {
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
  const parameters = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => ({
    name: m[1],
    in: 'path',
    required: true,
    schema: route.params?.[m[1] ?? ''] ? schemaOf(route.params[m[1] ?? ''] as z.ZodType, 'input') : { type: 'string' },
  }));
  const responses: JsonObject = {};
  for (const [status, response] of Object.entries(route.responses ?? {})) {
    responses[status] = {
      description: response.description,
      ...(response.schema ? { content: { 'application/json': { schema: schemaOf(response.schema, 'output') } } } : {}),
    };
  }
  return {
    operationId: route.operationId,
    summary: route.summary,
    tags: route.tags,
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(route.auth === 'none' ? { security: [] } : {}),
    ...(route.auth !== 'none' && route.auth !== 'admin' ? { 'x-required-scope': route.auth } : {}),
    ...(route.body
      ? { requestBody: { required: true, content: { 'application/json': { schema: schemaOf(route.body, 'input') } } } }
      : {}),
    responses,
  };
}

export function buildOpenApiDocument(version: string): JsonObject {
  const documented = ROUTES.filter((r) => r.responses !== undefined);
  const paths: Record<string, JsonObject> = {};
  for (const route of documented) {
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
    security: [{ bearer: [] }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'An API key' } },
      schemas: collectComponents(documented),
    },
    paths,
  };
}
