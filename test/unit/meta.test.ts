/** The meta function: API Gateway's $default route, and the OpenAPI document it serves. */
import { describe, expect, it } from 'vitest';
import { createMetaHandler } from '../../functions/meta';
import { loadConfig } from '../../shared/config';
import { createLogger } from '../../shared/observability/logger';
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
