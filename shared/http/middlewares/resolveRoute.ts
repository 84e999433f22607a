/**
 * Picks the route from the route table: 404/405 otherwise. `meta` (API Gateway's $default
 * route) resolves against every route to tell 404 from 405; a route another function
 * serves never reaches it through API Gateway, so it answers 404 there, before any auth.
 */
import type { MiddlewareObj } from '@middy/core';
import { notFound } from '../../domain/errors';
import { resolveRoute as resolve } from '../router';
import type { AcceptingInputs } from '../routeInputs';
import type { FunctionName, RouteSpec } from '../routeTable';
import type { HttpContext, HttpEvent, HttpResult } from '../types';

export function resolveRoute(
  fn: FunctionName,
  routes: readonly RouteSpec[],
  inputsOf: (operationId: string) => AcceptingInputs | undefined,
): MiddlewareObj<HttpEvent, HttpResult, unknown, HttpContext> {
  return {
    before: function matchRoute(request) {
      const method = request.event.requestContext?.http?.method ?? 'GET';
      const path = request.event.rawPath ?? '/';
      const { route, params } = resolve(routes, method, path);
      const inputs = inputsOf(route.operationId);
      if (route.fn !== fn || !inputs) throw notFound('NotFound', 'No such route.');
      request.context.http.route = route;
      request.context.http.params = params;
      request.context.http.inputs = inputs;
    },
  };
}
