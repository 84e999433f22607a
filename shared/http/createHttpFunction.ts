/**
 * The middy stack every HTTP function shares. Befores run top to bottom: request id →
 * route (404/405) → API key (401/403) → JSON body (413/415/400) → zod (400). Errors
 * from any step, or from the operation, leave through the error envelope, the security
 * headers and the access log.
 */
import middy from '@middy/core';
import type { Principal } from '../domain/apiKeys';
import { notFound, notImplemented } from '../domain/errors';
import type { AppLogger } from '../observability/logger';
import type { Authenticator } from '../services/authenticate';
import { authorize } from './middlewares/authorize';
import { errorEnvelope } from './middlewares/errorEnvelope';
import { jsonBody } from './middlewares/jsonBody';
import { requestLogging } from './middlewares/requestLogging';
import { resolveRoute } from './middlewares/resolveRoute';
import { securityHeaders } from './middlewares/securityHeaders';
import { validateRequest } from './middlewares/validateRequest';
import type { FunctionName, RouteSpec } from './routeTable';
import { ROUTES } from './routeTable';
import type { HttpContext, HttpEvent, HttpResult } from './types';

export interface OperationInput {
  params: Record<string, string>;
  query: Record<string, string>;
  body: unknown;
  principal: Principal | undefined;
  requestId: string;
  headers: Record<string, string | undefined>;
  route: RouteSpec;
}

export type Operation = (input: OperationInput) => Promise<HttpResult>;

export interface HttpFunctionDeps {
  logger: AppLogger;
  authenticator: Authenticator;
}

export type HttpHandler = (event: HttpEvent, context: HttpContext) => Promise<HttpResult>;

/**
 * `meta` is also API Gateway's `$default` route, so it resolves against every route:
 * that is how an unknown path becomes 404 and a known path with the wrong method 405.
 */
export function createHttpFunction(
  fn: FunctionName,
  operations: Partial<Record<string, Operation>>,
  deps: HttpFunctionDeps,
): HttpHandler {
  const routes = fn === 'meta' ? ROUTES : ROUTES.filter((r) => r.fn === fn);

  async function dispatch(event: HttpEvent, context: HttpContext): Promise<HttpResult> {
    const state = context.http;
    const route = state.route;
    if (!route || route.fn !== fn) throw notFound('NotFound', 'No such route.');
    const operation = operations[route.operationId];
    if (!operation) throw notImplemented(`${route.method} ${route.path}`);
    return operation({
      params: state.params,
      query: state.query,
      body: state.body,
      principal: state.principal,
      requestId: state.requestId,
      headers: event.headers ?? {},
      route,
    });
  }

  return middy<HttpEvent, HttpResult, Error, HttpContext>()
    .use(requestLogging(deps.logger))
    .use(securityHeaders())
    .use(errorEnvelope(deps.logger))
    .use(resolveRoute(routes))
    .use(authorize(deps.authenticator))
    .use(jsonBody())
    .use(validateRequest())
    .handler(dispatch) as unknown as HttpHandler;
}
