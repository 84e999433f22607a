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
import { cloudEventSchemas, MAX_BATCH } from '../domain/cloudEvents';
import { ROUTES } from './routeTable';
import type { RouteInputs } from './routeInputs';
import type { RequestMedia, ResponseHeader, RouteResponse, RouteSpec } from './routeTable';

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
function components(): Record<string, JsonObject> {
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

// Headers and parameters are inlined, not components: every $ref in the document points at a schema.
const errorContent = { 'application/json': { schema: { $ref: ref('Error') } } };

/**
 * Answers every route gives whatever its table entry lists: 400 (any query parameter a
 * route does not declare is refused; path parameters and bodies are validated), 401/403
 * from its auth, 413/415 from its body, 500 with a request id.
 */
function impliedResponses(route: RouteSpec, inputs: RouteInputs): Record<number, RouteResponse> {
  const implied: Record<number, RouteResponse> = {
    400: { description: 'Invalid request (ValidationFailed; MalformedJson for a body)', schema: 'Error' },
    500: { description: 'Unexpected failure (InternalError, with a request id)', schema: 'Error' },
  };
  if (route.auth !== 'none') implied[401] = { description: 'Missing or unknown credentials (Unauthorized)', schema: 'Error' };
  if (route.auth !== 'none' && route.auth !== 'any' && route.auth !== 'sourceToken') {
    implied[403] = { description: 'Key lacks the scope or instance (Forbidden)', schema: 'Error' };
  }
  if (inputs.body) {
    implied[413] = { description: 'Body over 256 KiB (PayloadTooLarge)', schema: 'Error' };
    implied[415] = { description: 'Body not JSON (UnsupportedMediaType)', schema: 'Error' };
  }
  return implied;
}

const RESPONSE_HEADERS: Readonly<Record<ResponseHeader, JsonObject>> = {
  ETag: { description: 'The rule\'s version as a strong entity tag; send it back in If-Match', schema: { type: 'string' } },
  Location: { description: 'Path of the created resource', schema: { type: 'string' } },
  'Retry-After': { description: 'Seconds to wait before trying again', schema: { type: 'integer', minimum: 1 } },
  'Set-Cookie': {
    description: `The console session cookie ${SESSION_COOKIE} (HttpOnly, SameSite=Strict; Secure except on the plain-HTTP local stack)`,
    schema: { type: 'string' },
  },
};

const IF_MATCH = {
  name: 'If-Match',
  in: 'header',
  required: false,
  description: 'The ETag last read; a stale one is refused with 412 PreconditionFailed',
  schema: { type: 'string' },
};

/** Query parameters from the route's query schema (a flat object of strings). */
function queryParameters(query: z.core.$ZodType): JsonObject[] {
  const json = schemaOf(query, 'input');
  const properties = (json.properties ?? {}) as Record<string, JsonObject>;
  const required = new Set((json.required ?? []) as string[]);
  return Object.entries(properties).map(([name, schema]) => ({ name, in: 'query', required: required.has(name), schema }));
}

/**
 * Binary content mode: the CloudEvent's attributes as ce-* headers (ce-specversion
 * selects the mode), the body is its data. Derived from the CloudEvent schema.
 */
function cloudEventHeaders(cloudEvent: JsonObject | undefined): JsonObject[] {
  const properties = (cloudEvent?.properties ?? {}) as Record<string, JsonObject>;
  return Object.entries(properties)
    .filter(([name]) => name !== 'data' && name !== 'datacontenttype')
    .map(([name, schema]) => ({
      name: `ce-${name}`,
      in: 'header',
      required: false,
      description:
        name === 'specversion'
          ? 'Binary content mode: present, the attributes are these ce-* headers and the body is the event\'s data (its content-type becomes datacontenttype)'
          : `Binary content mode: the ${name} attribute (percent-encoded)`,
      schema,
    }));
}

function requestContent(media: RequestMedia, body: z.core.$ZodType): JsonObject {
  if (media === 'json') return { 'application/json': { schema: schemaOf(body, 'input') } };
  if (media === 'native') {
    const schema = schemaOf(body, 'input');
    return {
      'application/json': { schema },
      'application/cloudevents+json': { schema },
      'application/cloudevents-batch+json': { schema },
    };
  }
  // Binary mode cannot be told apart by media type (the ce-specversion header selects
  // it), so it is documented by the ce-* header parameters and the body's description.
  const event = schemaOf(cloudEventSchemas().event, 'input');
  return {
    'application/cloudevents+json': { schema: event },
    'application/json': { schema: event },
    'application/cloudevents-batch+json': { schema: { type: 'array', minItems: 1, maxItems: MAX_BATCH, items: event } },
  };
}

function requestDescription(media: RequestMedia | undefined): JsonObject {
  if (media === 'cloudEvents') {
    return {
      description:
        'Structured mode: one CloudEvent (application/cloudevents+json, or application/json without ce-* headers). Batch mode: application/cloudevents-batch+json, 1–100 events. Binary mode: the ce-specversion header is present, the attributes are ce-* headers and the body is the event\'s data in any JSON media type.',
    };
  }
  if (media === 'native') return { description: "The registry's own webhook body, as it sends it" };
  return {};
}

function responseObject(response: RouteResponse): JsonObject {
  const schema = response.schema ? RESPONSE_SCHEMAS[response.schema] : undefined;
  const headers = response.headers ?? [];
  return {
    description: response.description,
    ...(headers.length > 0 ? { headers: Object.fromEntries(headers.map((h) => [h, RESPONSE_HEADERS[h]])) } : {}),
    ...(schema ? { content: response.schema === 'Error' ? errorContent : { 'application/json': { schema: schemaOf(schema, 'output') } } } : {}),
  };
}

function operation(route: RouteSpec, schemas: Readonly<Record<string, JsonObject>>): JsonObject {
  const inputs = INPUTS[route.operationId] ?? {};
  const body = inputs.body;
  const parameters: JsonObject[] = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => {
    const schema = inputs.params?.[m[1] ?? ''];
    return { name: m[1], in: 'path', required: true, schema: schema ? schemaOf(schema, 'input') : { type: 'string' } };
  });
  if (inputs.query) parameters.push(...queryParameters(inputs.query));
  if (route.requestHeaders?.includes('If-Match')) parameters.push(IF_MATCH);
  if (route.media === 'cloudEvents') parameters.push(...cloudEventHeaders(schemas.CloudEvent));
  const listed: Readonly<Record<number, RouteResponse>> = route.responses;
  const all = { ...impliedResponses(route, inputs), ...listed };
  const responses: JsonObject = {};
  for (const status of Object.keys(all).map(Number).sort((a, b) => a - b)) {
    const response = all[status];
    if (response) responses[String(status)] = responseObject(response);
  }
  // Optional bodies (redeliver) are documented as such.
  const optionalBody = body?._zod.def.type === 'optional';
  return {
    operationId: route.operationId,
    summary: route.summary,
    tags: route.tags,
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(route.auth === 'none' ? { security: [] } : {}),
    ...(route.auth === 'sourceToken' ? { security: [{ sourceToken: [] }] } : {}),
    ...(route.auth !== 'none' && route.auth !== 'admin' && route.auth !== 'any' && route.auth !== 'sourceToken' ? { 'x-required-scope': route.auth } : {}),
    ...(body ? { requestBody: { required: !optionalBody, ...requestDescription(route.media), content: requestContent(route.media ?? 'json', body) } } : {}),
    responses,
  };
}

export function buildOpenApiDocument(version: string): JsonObject {
  const paths: Record<string, JsonObject> = {};
  const schemas = components();
  for (const route of ROUTES) {
    paths[route.path] = { ...(paths[route.path] ?? {}), [route.method.toLowerCase()]: operation(route, schemas) };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Registry event notifications',
      version,
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
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
      schemas,
    },
    paths,
  };
}
