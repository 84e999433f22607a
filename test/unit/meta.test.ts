/** The meta function: API Gateway's $default route, and the OpenAPI document it serves. */
import { describe, expect, it } from 'vitest';
import { createMetaHandler } from '../../functions/meta';
import { loadConfig } from '../../shared/config';
import { createLogger } from '../../shared/observability/logger';
import { cachedDeepHealth, checkDeepHealth } from '../../shared/services/health';
import type { HealthProbe, PartName } from '../../shared/services/health';
import { call } from '../support/http';

const meta = createMetaHandler({
  config: loadConfig({ STACK_MODE: 'local', SECRETS_KEY: Buffer.alloc(32, 1).toString('base64'), SERVICE_VERSION: '1.2.3' }),
  logger: createLogger('SILENT'),
});

function refsOf(value: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const item of value) refsOf(item, found);
  else if (value !== null && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      if (key === '$ref' && typeof inner === 'string') found.add(inner);
      else refsOf(inner, found);
    }
  }
  return found;
}

describe('meta', () => {
  it('answers 404 for a route another function serves (API Gateway never sends it here), before any auth', async () => {
    const reply = await call(meta, { method: 'POST', path: '/v1/events', body: {} });
    expect(reply.status).toBe(404);
    expect((reply.json as { error: { code: string } }).error.code).toBe('NotFound');
  });

  it('answers 405 with Allow for a known path and another method', async () => {
    const reply = await call(meta, { method: 'DELETE', path: '/v1/events/abc' });
    expect(reply.status).toBe(405);
    expect(reply.headers.allow).toBe('GET');
  });

  it('serves an OpenAPI document whose every $ref resolves', async () => {
    const reply = await call(meta, { path: '/v1/openapi.json' });
    const doc = reply.json as { info: { version: string }; components: { schemas: Record<string, unknown> } };
    expect(doc.info.version).toBe('1.2.3');
    const components = new Set(Object.keys(doc.components.schemas).map((id) => `#/components/schemas/${id}`));
    expect([...refsOf(doc)].filter((ref) => !components.has(ref))).toEqual([]);
    expect(Object.keys(doc.components.schemas)).toEqual(expect.arrayContaining(['CloudEvent', 'CreateRuleRequest', 'EventTrace', 'Attempt', 'ApiKeyList']));
  });
});

describe('GET /v1/health?deep=true', () => {
  const config = loadConfig({ STACK_MODE: 'local', SECRETS_KEY: Buffer.alloc(32, 1).toString('base64'), SERVICE_VERSION: '1.2.3' });
  const probe = (part: PartName, check: () => Promise<void>): HealthProbe => ({ part, check });
  const withProbes = (probes: HealthProbe[]) => createMetaHandler({ config, logger: createLogger('SILENT') }, { deepHealth: () => checkDeepHealth(probes, 200) });

  it('answers 200 with every part when all answer; the plain check probes nothing', async () => {
    let probed = 0;
    const handler = withProbes([probe('table', async () => void probed++), probe('queue', async () => void probed++)]);
    expect((await call(handler, { path: '/v1/health' })).json).toEqual({ status: 'ok', version: '1.2.3' });
    expect(probed).toBe(0);
    const deep = await call(handler, { path: '/v1/health', query: { deep: 'true' } });
    expect(deep.status).toBe(200);
    expect(deep.json).toEqual({ status: 'ok', version: '1.2.3', checks: { table: 'ok', queue: 'ok' } });
    expect(probed).toBe(2);
  });

  it('answers 503 naming the part that failed or hung', async () => {
    const down = withProbes([probe('table', async () => undefined), probe('queue', () => Promise.reject(new Error('ECONNREFUSED')))]);
    const reply = await call(down, { path: '/v1/health', query: { deep: 'true' } });
    expect(reply.status).toBe(503);
    expect(reply.json).toEqual({ status: 'unavailable', version: '1.2.3', checks: { table: 'ok', queue: 'unavailable' }, failing: ['queue'] });
    const hung = withProbes([probe('table', () => new Promise<void>(() => undefined)), probe('queue', async () => undefined)]);
    expect((await call(hung, { path: '/v1/health', query: { deep: 'true' } })).json).toMatchObject({ failing: ['table'] });
  });

  it('refuses other values and parameters (400)', async () => {
    const handler = withProbes([]);
    expect((await call(handler, { path: '/v1/health', query: { deep: 'yes' } })).status).toBe(400);
    expect((await call(handler, { path: '/v1/health', query: { verbose: 'true' } })).status).toBe(400);
  });

  it('keeps a result for a few seconds, so the public route cannot multiply calls to the table and queue', async () => {
    let calls = 0;
    let now = 0;
    const cached = cachedDeepHealth([probe('table', async () => void calls++)], () => now, 5_000);
    await cached();
    await cached();
    expect(calls).toBe(1);
    now = 5_000;
    await cached();
    expect(calls).toBe(2);
  });
});
