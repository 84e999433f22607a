/** Picks the route for this function from the route table: 404/405 otherwise. */
import type { MiddlewareObj } from '@middy/core';
import { resolveRoute as resolve } from '../router';
import type { RouteSpec } from '../routeTable';
import type { HttpContext, HttpEvent, HttpResult } from '../types';

export function resolveRoute(routes: readonly RouteSpec[]): MiddlewareObj<HttpEvent, HttpResult, unknown, HttpContext> {
  return {
    before: function matchRoute(request) {
      const method = request.event.requestContext?.http?.method ?? 'GET';
      const path = request.event.rawPath ?? '/';
      const { route, params } = resolve(routes, method, path);
      request.context.http.route = route;
      request.context.http.params = params;
    },
  };
}
