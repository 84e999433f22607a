/** Matches a request path against the route templates of SPEC §4. */
import { methodNotAllowed, notFound } from '../domain/errors';
import type { RouteSpec } from './routeTable';

export function matchPath(template: string, path: string): Record<string, string> | undefined {
  const want = template.split('/');
  const got = path.split('/');
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i += 1) {
    const w = want[i] ?? '';
    const g = got[i] ?? '';
    if (w.startsWith('{') && w.endsWith('}')) {
      if (g === '') return undefined;
      let value: string;
      try {
        value = decodeURIComponent(g);
      } catch {
        return undefined;
      }
      params[w.slice(1, -1)] = value;
    } else if (w !== g) {
      return undefined;
    }
  }
  return params;
}

/** The route for method + path, or the 404/405 error the SPEC asks for. */
export function resolveRoute(
  routes: readonly RouteSpec[],
  method: string,
  path: string,
): { route: RouteSpec; params: Record<string, string> } {
  const allowed: string[] = [];
  for (const route of routes) {
    const params = matchPath(route.path, path);
    if (!params) continue;
    if (route.method === method.toUpperCase()) return { route, params };
    allowed.push(route.method);
  }
  if (allowed.length > 0) throw methodNotAllowed(allowed);
  throw notFound('NotFound', 'No such route.');
}
