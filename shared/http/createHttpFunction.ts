/**
 * The middy stack every HTTP function shares. Befores run top to bottom: request id →
 * route (404/405) → API key (401/403) → JSON body (413/415/400) → the route's inputs
 * (400) → rate limit (429). Errors from any step, or from the operation, leave through
 * the error envelope, the security headers and the access log. A function binds only its
 * own operations to their inputs, so its bundle builds no other function's schemas.
 */
import middy from '@middy/core';
import type { MiddlewareObj } from '@middy/core';
import { notFound } from '../domain/errors';
import type { AppLogger } from '../observability/logger';
import type { Authenticator } from '../services/authenticate';
import type { SourceAuthenticator } from '../services/sources';
import { authorize } from './middlewares/authorize';
import { errorEnvelope } from './middlewares/errorEnvelope';
import { jsonBody } from './middlewares/jsonBody';
import { rateLimit } from './middlewares/rateLimit';
import type { RateLimitOptions } from './middlewares/rateLimit';
import { requestLogging } from './middlewares/requestLogging';
import { resolveRoute } from './middlewares/resolveRoute';
import { securityHeaders } from './middlewares/securityHeaders';
import { sourceToken } from './middlewares/sourceToken';
import { validateRequest } from './middlewares/validateRequest';
import type { AcceptingInputs, TypedRouteInputs } from './routeInputs';
import type { FunctionName, OperationId, OperationOf, RouteSpec } from './routeTable';
import { ROUTES } from './routeTable';
import type { HttpContext, HttpEvent, HttpResult, HttpState } from './types';

/** What every operation receives besides its typed inputs and caller. */
export interface RequestArgs {
  requestId: string;
  headers: Record<string, string | undefined>;
  /** The console session token, when the cookie authenticated the request. */
  sessionToken: string | undefined;
  route: RouteSpec;
}

/** An operation bound to its route's inputs: the handler's argument is typed by them. */
export interface BoundOperation<K extends OperationId = OperationId> {
  readonly inputs: AcceptingInputs & { readonly operationId: K };
  run(state: HttpState, request: RequestArgs): Promise<HttpResult>;
}

/**
 * `operation(inputs, async ({ params, query, body, principal }) => ...)`: the argument's
 * type comes from the inputs' schemas and the route's auth (principal present whenever an
 * API key is required), so the handler needs no casts and no fallbacks.
 */
export function operation<K extends OperationId, Args>(
  inputs: TypedRouteInputs<K, Args>,
  handler: (args: Args & RequestArgs) => Promise<HttpResult>,
): BoundOperation<K> {
  return {
    inputs,
    run: (state, request) => handler({ ...inputs.argsOf(state), ...request }),
  };
}

export interface HttpFunctionDeps {
  logger: AppLogger;
  /** Required when any of the function's routes needs an API key. */
  authenticator?: Authenticator;
  /** Required when any of the function's routes takes a registry source's token. */
  sourceAuthenticator?: SourceAuthenticator;
  /** Required when any of the function's routes declares a rate limit. */
  rateLimit?: RateLimitOptions;
}

export type HttpHandler = (event: HttpEvent, context: HttpContext) => Promise<HttpResult>;

/** One function's operations, every one of them, each bound to its own route's inputs. */
export type OperationsOf<F extends FunctionName> = { readonly [K in OperationOf<F>]: BoundOperation<K> };

type HttpMiddleware = MiddlewareObj<HttpEvent, HttpResult, unknown, HttpContext>;

/**
 * `meta` is also API Gateway's `$default` route, so it resolves against every route:
 * that is how an unknown path becomes 404 and a known path with the wrong method 405.
 */
export function createHttpFunction<F extends FunctionName>(fn: F, operations: OperationsOf<F>, deps: HttpFunctionDeps): HttpHandler {
  const own: readonly RouteSpec[] = ROUTES.filter((r) => r.fn === fn);
  const routes: readonly RouteSpec[] = fn === 'meta' ? ROUTES : own;
  const needsKey = own.some((r) => r.auth !== 'none' && r.auth !== 'sourceToken');
  if (needsKey && !deps.authenticator) throw new Error(`${fn} has routes that need an API key but no authenticator`);
  const needsSourceToken = own.some((r) => r.auth === 'sourceToken');
  if (needsSourceToken && !deps.sourceAuthenticator) throw new Error(`${fn} has routes that need a source token but no source authenticator`);
  const limited = own.some((r) => r.rateLimit !== undefined);
  if (limited && !deps.rateLimit) throw new Error(`${fn} has rate-limited routes but no rate limit`);
  const byOperation: Readonly<Partial<Record<string, BoundOperation>>> = operations;

  async function dispatch(event: HttpEvent, context: HttpContext): Promise<HttpResult> {
    const state = context.http;
    const route = state.route;
    const bound = route ? byOperation[route.operationId] : undefined;
    if (!route || !bound) throw notFound('NotFound', 'No such route.');
    return bound.run(state, { requestId: state.requestId, headers: event.headers ?? {}, sessionToken: state.sessionToken, route });
  }

  const middlewares: HttpMiddleware[] = [
    requestLogging(deps.logger),
    securityHeaders(),
    errorEnvelope(deps.logger),
    resolveRoute(fn, routes, (operationId) => byOperation[operationId]?.inputs),
    ...(deps.authenticator ? [authorize(deps.authenticator)] : []),
    ...(deps.sourceAuthenticator ? [sourceToken(deps.sourceAuthenticator)] : []),
    jsonBody(),
    validateRequest(),
    ...(deps.rateLimit && limited ? [rateLimit(deps.rateLimit)] : []),
  ];
  return middy<HttpEvent, HttpResult, unknown, HttpContext>().use(middlewares).handler(dispatch);
}
