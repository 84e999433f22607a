/**
 * The middy stack every HTTP function shares. Befores run top to bottom: request id →
 * route (404/405) → API key (401/403) → JSON body (413/415/400) → zod (400). Errors
 * from any step, or from the operation, leave through the error envelope, the security
 * headers and the access log. A function passes only its own input schemas, so its
 * bundle builds no other function's schemas.
 */
import middy from '@middy/core';
import type { MiddlewareObj } from '@middy/core';
import type { Principal } from '../domain/apiKeys';
import { notFound } from '../domain/errors';
import type { AppLogger } from '../observability/logger';
import type { Authenticator } from '../services/authenticate';
import type { AuthenticatedSource, SourceAuthenticator } from '../services/sources';
import { authorize } from './middlewares/authorize';
import { errorEnvelope } from './middlewares/errorEnvelope';
import { jsonBody } from './middlewares/jsonBody';
import { requestLogging } from './middlewares/requestLogging';
import { resolveRoute } from './middlewares/resolveRoute';
import { securityHeaders } from './middlewares/securityHeaders';
import { sourceToken } from './middlewares/sourceToken';
import { validateRequest } from './middlewares/validateRequest';
import type { FunctionName, InputsOf, OperationOf, RouteSpec } from './routeTable';
import { ROUTES } from './routeTable';
import type { HttpContext, HttpEvent, HttpResult } from './types';

export interface OperationInput {
  params: Record<string, string>;
  query: Record<string, string>;
  body: unknown;
  principal: Principal | undefined;
  /** The console session token, when the cookie authenticated the request. */
  sessionToken: string | undefined;
  source?: AuthenticatedSource | undefined;
  requestId: string;
  headers: Record<string, string | undefined>;
  route: RouteSpec;
}

export type Operation = (input: OperationInput) => Promise<HttpResult>;

export interface HttpFunctionDeps {
  logger: AppLogger;
  /** Required when any of the function's routes needs an API key. */
  authenticator?: Authenticator;
  /** Required when any of the function's routes takes a registry source's token. */
  sourceAuthenticator?: SourceAuthenticator;
}

export type HttpHandler = (event: HttpEvent, context: HttpContext) => Promise<HttpResult>;

/**
 * `meta` is also API Gateway's `$default` route, so it resolves against every route:
 * that is how an unknown path becomes 404 and a known path with the wrong method 405.
 */
export function createHttpFunction<F extends FunctionName>(
  fn: F,
  inputs: InputsOf<F>,
  operations: Readonly<Record<OperationOf<F>, Operation>>,
  deps: HttpFunctionDeps,
): HttpHandler {
  const own: readonly RouteSpec[] = ROUTES.filter((r) => r.fn === fn);
  const routes: readonly RouteSpec[] = fn === 'meta' ? ROUTES : own;
  const needsKey = own.some((r) => r.auth !== 'none' && r.auth !== 'sourceToken');
  if (needsKey && !deps.authenticator) throw new Error(`${fn} has routes that need an API key but no authenticator`);
  const needsSourceToken = own.some((r) => r.auth === 'sourceToken');
  if (needsSourceToken && !deps.sourceAuthenticator) throw new Error(`${fn} has routes that need a source token but no source authenticator`);
  const byOperation: Readonly<Partial<Record<string, Operation>>> = operations;

  async function dispatch(event: HttpEvent, context: HttpContext): Promise<HttpResult> {
    const state = context.http;
    const route = state.route;
    const operation = route ? byOperation[route.operationId] : undefined;
    if (!route || !operation) throw notFound('NotFound', 'No such route.');
    return operation({
      params: state.params,
      query: state.query,
      body: state.body,
      principal: state.principal,
      sessionToken: state.sessionToken,
      source: state.source,
      requestId: state.requestId,
      headers: event.headers ?? {},
      route,
    });
  }

  const middlewares: MiddlewareObj<HttpEvent, HttpResult, unknown, HttpContext>[] = [
    requestLogging(deps.logger),
    securityHeaders(),
    errorEnvelope(deps.logger),
    resolveRoute(fn, routes, inputs),
    ...(deps.authenticator ? [authorize(deps.authenticator)] : []),
    ...(deps.sourceAuthenticator ? [sourceToken(deps.sourceAuthenticator)] : []),
    jsonBody(),
    validateRequest(),
  ];
  return middlewares.reduce((stack, middleware) => stack.use(middleware), middy<HttpEvent, HttpResult, Error, HttpContext>()).handler(dispatch) as unknown as HttpHandler;
}
