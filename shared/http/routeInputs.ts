/**
 * A route's inputs, declared once per operation: path parameters, query and body as zod
 * schemas, and for a route that reads its body itself (ingest, native webhooks) a prepare
 * step and what a request weighs against its caller's rate limit. From that declaration
 * and the route's auth in the route table, the operation's argument is typed: `params`,
 * `query` and `body` as their schemas output them, `principal` present when the route
 * needs an API key, `source` when it takes a source token. The validateRequest middleware
 * calls `accept`; the inputs keep what they accepted for the request, so the operation
 * receives it typed, without a cast (the Powertools parser habit, with the types carried
 * by the declaration rather than asserted by the handler).
 */
import * as z from 'zod/mini';
import type { Principal } from '../domain/apiKeys';
import { unauthorized, validationFailed } from '../domain/errors';
import type { ErrorDetail } from '../domain/errors';
import { issuesToDetails } from '../domain/validation';
import type { AuthenticatedSource } from '../services/sources';
import { ROUTES } from './routeTable';
import type { FunctionName, OperationId, OperationOf, RouteAuth } from './routeTable';

/** The schemas a route validates, in the order their details are reported. */
export type InputSchemas = {
  /** Path parameters, validated after auth; every name in the path template. */
  params?: z.ZodMiniObject<Readonly<Record<string, z.core.$ZodType<string>>>>;
  /** Without a query schema, any query parameter is refused. */
  query?: z.core.$ZodType<Record<string, string>>;
  /** A route with a body schema has its JSON body parsed (413/415/400). */
  body?: z.core.$ZodType;
};

/** What the middlewares learn about who is calling (a subset of HttpState). */
export interface RequestAuth {
  principal?: Principal;
  source?: AuthenticatedSource;
}

/** The request as validation sees it. */
export interface RawRequest {
  params: Readonly<Record<string, string>>;
  query: Readonly<Record<string, string | undefined>>;
  body: unknown;
  headers: Readonly<Record<string, string | undefined>>;
}

/** What a route declares it takes: read by the OpenAPI document and the route-table tests. */
export interface RouteInputs {
  readonly params?: Readonly<Record<string, z.core.$ZodType<string>>>;
  readonly query?: z.core.$ZodType<Record<string, string>>;
  /** The body as documented (and validated, unless validateBody is false). */
  readonly body?: z.core.$ZodType;
  /** false: the body is parsed as JSON but validated by the operation (e.g. per batch item). */
  readonly validateBody?: boolean;
}

/** A route's inputs as the middlewares use them. */
export interface AcceptingInputs extends RouteInputs {
  readonly operationId: OperationId;
  /** Validates (400 ValidationFailed) and prepares the request, keeping the result for the operation. */
  accept(request: object, raw: RawRequest): Promise<void>;
  /** What the accepted request weighs against its caller's rate limit. */
  weight(request: object): number;
}

/** A route's inputs that also know the type of the operation's argument. */
export interface TypedRouteInputs<K extends OperationId, Args> extends AcceptingInputs {
  readonly operationId: K;
  argsOf(request: RequestAuth): Args;
}

type NoAuth = Record<never, never>;
interface PrincipalArgs {
  principal: Principal;
}
interface SourceArgs {
  source: AuthenticatedSource;
}
/** What each kind of auth hands the operation. */
export type AuthArgs = { [A in RouteAuth]: A extends 'none' ? NoAuth : A extends 'sourceToken' ? SourceArgs : PrincipalArgs };

function principalArgs(request: RequestAuth): PrincipalArgs {
  // The authorize middleware refused the request (401) before this could happen.
  if (request.principal === undefined) throw unauthorized();
  return { principal: request.principal };
}

function sourceArgs(request: RequestAuth): SourceArgs {
  if (request.source === undefined) throw unauthorized();
  return { source: request.source };
}

const AUTH_ARGS: { readonly [A in RouteAuth]: (request: RequestAuth) => AuthArgs[A] } = {
  none: () => ({}),
  any: principalArgs,
  admin: principalArgs,
  'rules:read': principalArgs,
  'rules:write': principalArgs,
  'events:read': principalArgs,
  'events:write': principalArgs,
  sourceToken: sourceArgs,
};

type RoutesById = { [R in (typeof ROUTES)[number] as R['operationId']]: R };
/** The auth the route table gives an operation. */
export type AuthOf<K extends OperationId> = RoutesById[K]['auth'];

/** What the schemas output, one key per declared slot. */
export type InputOf<S extends InputSchemas> = z.core.$InferObjectOutput<z.core.util.Writeable<S>, Record<never, never>>;

/** A route that reads its body itself: documented as `rawBody`, prepared from the raw request. */
export interface PrepareOptions<S extends InputSchemas, P extends object> {
  rawBody: z.core.$ZodType;
  /** Runs once the schemas passed; throws an AppError to refuse the request. */
  prepare: (input: InputOf<S>, raw: RawRequest) => P;
  /** What the request weighs against its caller's rate limit (default 1). */
  weigh?: (prepared: P) => number;
}

function slotDetails(issues: readonly z.core.$ZodIssue[], slot: keyof InputSchemas, prefix: string[]): ErrorDetail[] {
  const own = issues.filter((issue) => issue.path[0] === slot).map((issue) => ({ ...issue, path: issue.path.slice(1) }));
  return issuesToDetails(own, prefix);
}

function authOf<K extends OperationId>(operationId: K): AuthOf<K> {
  const route = ROUTES.find((r): r is RoutesById[K] => r.operationId === operationId);
  if (!route) throw new Error(`no route ${operationId}`);
  return route.auth;
}

function build<K extends OperationId, A extends RouteAuth, const S extends InputSchemas, P extends object>(
  operationId: K,
  auth: A,
  schemas: S,
  options: { rawBody?: z.core.$ZodType; prepare: (input: InputOf<S>, raw: RawRequest) => P; weigh?: (prepared: P) => number },
): TypedRouteInputs<K, InputOf<S> & P & AuthArgs[A]> {
  const schema = z.object(schemas);
  const accepted = new WeakMap<object, { input: InputOf<S>; prepared: P }>();
  const authArgs = AUTH_ARGS[auth];

  function acceptedFor(request: object): { input: InputOf<S>; prepared: P } {
    const value = accepted.get(request);
    if (value === undefined) throw new Error(`${operationId}: the request was not validated`);
    return value;
  }

  const body = options.rawBody ?? schemas.body;
  return {
    operationId,
    ...(schemas.params ? { params: schemas.params.shape } : {}),
    ...(schemas.query ? { query: schemas.query } : {}),
    ...(body ? { body } : {}),
    ...(options.rawBody ? { validateBody: false } : {}),
    async accept(request, raw) {
      // Async: some checks load what they need on first use (the RE2 engine for tag patterns).
      const result = await z.safeParseAsync(schema, { params: raw.params, query: raw.query, body: raw.body });
      const issues = result.success ? [] : result.error.issues;
      const details: ErrorDetail[] = [
        ...slotDetails(issues, 'params', ['path']),
        ...(schemas.query
          ? slotDetails(issues, 'query', ['query'])
          : Object.keys(raw.query).map((key) => ({ path: `query.${key}`, message: 'unknown parameter' }))),
        ...slotDetails(issues, 'body', []),
      ];
      if (details.length > 0) throw validationFailed(details);
      if (!result.success) throw validationFailed(issuesToDetails(issues));
      accepted.set(request, { input: result.data, prepared: options.prepare(result.data, raw) });
    },
    weight(request) {
      return options.weigh ? options.weigh(acceptedFor(request).prepared) : 1;
    },
    argsOf(request) {
      const { input, prepared } = acceptedFor(request);
      return { ...input, ...prepared, ...authArgs(request) };
    },
  };
}

/** A route's inputs: its schemas; the operation's argument is typed by them and by the route's auth in the route table. */
export function defineInputs<K extends OperationId, const S extends InputSchemas>(
  operationId: K,
  schemas: S,
): TypedRouteInputs<K, InputOf<S> & AuthArgs[AuthOf<K>]> {
  return build<K, AuthOf<K>, S, NoAuth>(operationId, authOf(operationId), schemas, { prepare: () => ({}) });
}

/** A route whose operation reads the body itself: the raw body is documented, not validated, and prepared. */
export function definePreparedInputs<K extends OperationId, const S extends InputSchemas, P extends object>(
  operationId: K,
  schemas: S,
  options: PrepareOptions<S, P>,
): TypedRouteInputs<K, InputOf<S> & P & AuthArgs[AuthOf<K>]> {
  return build<K, AuthOf<K>, S, P>(operationId, authOf(operationId), schemas, options);
}

/** One function's inputs, one per operation it serves. */
export type InputsOf<F extends FunctionName> = { readonly [K in OperationOf<F>]: AcceptingInputs & { readonly operationId: K } };
