import { readFileSync } from 'node:fs';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { ROUTES } from '../../shared/http/routeTable';
import { CONSOLE_ROUTES } from '../../shared/http/consoleServer';
import type { RouteInputs } from '../../shared/http/routeInputs';
import { apiKeysInputs } from '../../shared/http/inputs/apiKeys';
import { eventsInputs } from '../../shared/http/inputs/events';
import { ingestInputs } from '../../shared/http/inputs/ingest';
import { rulesInputs } from '../../shared/http/inputs/rules';
import { sourceEventsInputs } from '../../shared/http/inputs/sourceEvents';
import { sourcesInputs } from '../../shared/http/inputs/sources';
import { matchPath, resolveRoute } from '../../shared/http/router';
import { AppError } from '../../shared/domain/errors';

interface Fn {
  events?: { httpApi?: string | { method: string; path: string } }[];
}

describe('route table', () => {
  it('matches serverless.yml route for route, function for function', () => {
    const doc = load(readFileSync(new URL('../../serverless.yml', import.meta.url), 'utf8')) as { functions: Record<string, Fn> };
    const declared = Object.entries(doc.functions).flatMap(([fn, def]) =>
      (def.events ?? [])
        .map((e) => e.httpApi)
        .filter((h): h is { method: string; path: string } => typeof h === 'object')
        .map((h) => `${fn} ${h.method} ${h.path}`),
    );
    const expected = [...ROUTES.map((r) => `${r.fn} ${r.method} ${r.path}`), ...CONSOLE_ROUTES.map((r) => `console ${r.method} ${r.path}`)];
    expect(declared.sort()).toEqual(expected.sort());
    expect(doc.functions.meta?.events?.some((e) => e.httpApi === '*')).toBe(true);
  });

  it('matches templates segment by segment and decodes parameters', () => {
    expect(matchPath('/v1/events/{eventId}', '/v1/events/a%2Fb')).toEqual({ eventId: 'a/b' });
    expect(matchPath('/v1/events/{eventId}', '/v1/events/')).toBeUndefined();
    expect(matchPath('/v1/events/{eventId}', '/v1/events/%E0%A4%A')).toBeUndefined();
    expect(matchPath('/v1/events/{eventId}', '/v1/events/a/b')).toBeUndefined();
  });

  it('distinguishes 404 from 405', () => {
    const status = (method: string, path: string) => {
      try {
        resolveRoute(ROUTES, method, path);
        return 200;
      } catch (error) {
        return error instanceof AppError ? error.status : 0;
      }
    };
    expect(status('GET', '/v1/events/abc')).toBe(200);
    expect(status('DELETE', '/v1/events/abc')).toBe(405);
    expect(status('GET', '/v2/events')).toBe(404);
    expect(status('get', '/v1/health')).toBe(200);
  });
});

describe('per-function inputs', () => {
  const inputs: Record<string, Readonly<Partial<Record<string, RouteInputs>>>> = {
    meta: {},
    apiKeys: apiKeysInputs,
    rules: rulesInputs,
    ingest: ingestInputs,
    events: eventsInputs,
    sources: sourcesInputs,
    sourceEvents: sourceEventsInputs,
  };

  it('give every path parameter a schema, in the function that serves the route', () => {
    for (const route of ROUTES) {
      const own = inputs[route.fn]?.[route.operationId] ?? {};
      const names = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1] ?? '');
      expect(Object.keys(own.params ?? {}).sort(), `${route.operationId}`).toEqual(names.sort());
    }
  });

  it('name only operations of their own function', () => {
    for (const [fn, byOperation] of Object.entries(inputs)) {
      for (const operationId of Object.keys(byOperation)) {
        expect(ROUTES.find((r) => r.operationId === operationId)?.fn, operationId).toBe(fn);
      }
    }
  });

  it('are what a body-taking route validates (or declares, when its operation validates)', () => {
    const withBody = ROUTES.filter((r) => r.method === 'POST' || r.method === 'PUT' || r.method === 'PATCH').map((r) => r.operationId);
    const declared = Object.values(inputs).flatMap((byOperation) => Object.entries(byOperation).filter(([, i]) => i?.body).map(([id]) => id));
    // testRule and resumeRule are POSTs without a body.
    expect(declared.sort()).toEqual(withBody.filter((id) => id !== 'testRule' && id !== 'resumeRule').sort());
  });
});
