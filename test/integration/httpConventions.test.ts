/** SPEC §4 conventions, through the real middy stack of the HTTP functions. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKeysHandler } from '../../functions/apiKeys';
import { createMetaHandler } from '../../functions/meta';
import type { ApiKeyStore } from '../../shared/adapters/dynamo/apiKeyRepository';
import { SECURITY_HEADERS } from '../../shared/http/middlewares/securityHeaders';
import { createTestTable } from '../support/dynamo';
import type { TestTable } from '../support/dynamo';
import { bearer, call } from '../support/http';
import { captureOutput } from '../support/logs';
import { ADMIN_KEY, testRuntime } from '../support/app';

let table: TestTable;
let meta: ReturnType<typeof createMetaHandler>;
let apiKeys: ReturnType<typeof createApiKeysHandler>;
const validBody = { name: 'ok', scopes: ['rules:read'], instanceIds: ['*'] };

function errorOf(reply: { json: unknown }) {
  return (reply.json as { error: { code: string; message: string; details?: { path: string; message: string }[]; requestId?: string } }).error;
}

beforeAll(async () => {
  table = await createTestTable('http');
  const rt = testRuntime(table);
  meta = createMetaHandler(rt);
  apiKeys = createApiKeysHandler(rt);
});
afterAll(() => table.drop());

describe('health and OpenAPI', () => {
  it('GET /v1/health answers without a key, with the version', async () => {
    const reply = await call(meta, { path: '/v1/health' });
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual({ status: 'ok', version: '9.9.9-test' });
    expect(reply.headers['content-type']).toBe('application/json; charset=utf-8');
  });

  it('GET /v1/openapi.json is an OpenAPI 3.1 document generated from the zod schemas', async () => {
    const reply = await call(meta, { path: '/v1/openapi.json' });
    expect(reply.status).toBe(200);
    const doc = reply.json as {
      openapi: string;
      paths: Record<string, Record<string, { requestBody?: unknown; security?: unknown[] }>>;
      components: { schemas: Record<string, { properties?: Record<string, unknown>; required?: string[]; additionalProperties?: unknown }> };
    };
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.paths['/v1/health']?.get?.security).toEqual([]);
    expect(doc.paths['/v1/api-keys']?.post?.requestBody).toBeDefined();
    const create = doc.components.schemas.CreateApiKeyRequest;
    expect(create?.required).toEqual(expect.arrayContaining(['name', 'scopes', 'instanceIds']));
    expect(create?.additionalProperties).toBe(false); // strict objects
    expect(Object.keys(create?.properties ?? {})).toEqual(['name', 'scopes', 'instanceIds']);
  });

  it('documents the rule routes with examples', async () => {
    const doc = (await call(meta, { path: '/v1/openapi.json' })).json as {
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
      components: { schemas: Record<string, { examples?: unknown[]; properties?: Record<string, unknown> }> };
    };
    expect(Object.keys(doc.paths['/v1/instances/{instanceId}/rules/{ruleId}'] ?? {}).sort()).toEqual(['delete', 'get', 'patch']);
    expect(Object.keys(doc.paths['/v1/instances/{instanceId}/rules']?.post?.responses ?? {})).toEqual(
      expect.arrayContaining(['201', '400', '409']),
    );
    const create = doc.components.schemas.CreateRuleRequest;
    expect(create?.examples?.[0]).toMatchObject({ ruleName: 'scan-alerts', scope: { type: 'REPO' } });
    expect(Object.keys(create?.properties ?? {})).toEqual(
      expect.arrayContaining(['ruleName', 'regionId', 'eventTypes', 'eventStatuses', 'scope', 'tagPattern', 'notify', 'template', 'enabled']),
    );
    expect(doc.components.schemas.Rule).toBeDefined();
  });
});

describe('routing', () => {
  it('unknown route → 404 NotFound', async () => {
    const reply = await call(meta, { path: '/v1/nothing-here' });
    expect(reply.status).toBe(404);
    expect(errorOf(reply).code).toBe('NotFound');
  });

  it('known path, wrong method → 405 MethodNotAllowed with Allow', async () => {
    const reply = await call(meta, { method: 'PUT', path: '/v1/api-keys' });
    expect(reply.status).toBe(405);
    expect(errorOf(reply).code).toBe('MethodNotAllowed');
    expect(reply.headers.allow).toBe('POST, GET');
    const rule = await call(meta, { method: 'PUT', path: '/v1/instances/cri-abc123/rules/crecr-0000000000000000' });
    expect(rule.status).toBe(405);
    expect(rule.headers.allow).toBe('GET, PATCH, DELETE');
  });
});

describe('bodies', () => {
  const post = (body: string | object, headers: Record<string, string> = {}) =>
    call(apiKeys, { method: 'POST', path: '/v1/api-keys', headers: { ...bearer(ADMIN_KEY), ...headers }, body });

  it('malformed JSON → 400 MalformedJson', async () => {
    for (const body of ['{', '{"name":', 'nul', '{"a":1}}', "{'a':1}"]) {
      const reply = await post(body);
      expect(reply.status).toBe(400);
      expect(errorOf(reply).code).toBe('MalformedJson');
    }
  });

  it('body over 256 KiB → 413 PayloadTooLarge; exactly at the cap is parsed', async () => {
    const big = JSON.stringify({ ...validBody, name: 'x'.repeat(256 * 1024) });
    const reply = await post(big);
    expect(reply.status).toBe(413);
    expect(errorOf(reply).code).toBe('PayloadTooLarge');
    const padded = JSON.stringify(validBody);
    const atCap = padded + ' '.repeat(256 * 1024 - Buffer.byteLength(padded));
    expect((await post(atCap)).status).toBe(201);
  });

  it('unknown field → 400 ValidationFailed naming it', async () => {
    const reply = await post({ ...validBody, admin: true });
    expect(reply.status).toBe(400);
    expect(errorOf(reply)).toEqual({
      code: 'ValidationFailed',
      message: expect.any(String),
      details: [{ path: 'admin', message: 'unknown field' }],
    });
  });

  it('wrong types → ValidationFailed with the nested path', async () => {
    const reply = await post({ ...validBody, scopes: ['rules:read', 7] });
    expect(errorOf(reply).details?.map((d) => d.path)).toEqual(['scopes.1']);
  });

  it('non-JSON media type → 415; base64 bodies with invalid UTF-8 → MalformedJson', async () => {
    expect((await post(JSON.stringify(validBody), { 'content-type': 'text/plain' })).status).toBe(415);
    const reply = await call(apiKeys, {
      method: 'POST',
      path: '/v1/api-keys',
      headers: bearer(ADMIN_KEY),
      body: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]).toString('base64'),
      isBase64Encoded: true,
    });
    expect(errorOf(reply).code).toBe('MalformedJson');
  });

  it('a __proto__ key is an unknown field, and pollutes nothing', async () => {
    const reply = await post('{"name":"p","scopes":["rules:read"],"instanceIds":["*"],"__proto__":{"polluted":true}}');
    expect(reply.status).toBe(400);
    expect(errorOf(reply).details?.[0]?.path).toBe('__proto__');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('unknown query parameters are refused', async () => {
    const reply = await call(apiKeys, { path: '/v1/api-keys', headers: bearer(ADMIN_KEY), query: { debug: '1' } });
    expect(reply.status).toBe(400);
    expect(errorOf(reply).details?.[0]?.path).toBe('query.debug');
  });
});

describe('failures and headers', () => {
  it('an unexpected exception → 500 InternalError with a request id and no internals', async () => {
    const exploding: ApiKeyStore = {
      put: async () => {
        const error = new Error('ConditionalCheckFailed at /work/main/shared/adapters/dynamo/x.ts table registry-events-prod');
        error.name = 'ResourceNotFoundException';
        throw error;
      },
      get: async () => undefined,
      list: async () => [],
      revoke: async () => false,
    };
    const rt = testRuntime(table, { store: exploding });
    const handler = createApiKeysHandler(rt);
    const output = captureOutput();
    let reply;
    try {
      reply = await call(handler, { method: 'POST', path: '/v1/api-keys', headers: bearer(ADMIN_KEY), body: validBody });
    } finally {
      output.restore();
    }
    expect(reply.status).toBe(500);
    const error = errorOf(reply);
    expect(Object.keys(error).sort()).toEqual(['code', 'message', 'requestId']);
    expect(error.code).toBe('InternalError');
    expect(error.message).toContain(error.requestId);
    expect(reply.headers['x-request-id']).toBe(error.requestId);
    for (const leak of ['ResourceNotFound', 'ConditionalCheck', '/work/', '.ts', 'registry-events-prod', 'stack']) {
      expect(reply.text).not.toContain(leak);
    }
    // …while the log keeps what an operator needs.
    expect(output.lines()).toContain('ResourceNotFoundException');
  });

  it('security headers on successes and errors alike', async () => {
    for (const reply of [await call(meta, { path: '/v1/health' }), await call(meta, { path: '/nope' }), await call(apiKeys, { path: '/v1/api-keys' })]) {
      for (const [name, value] of Object.entries(SECURITY_HEADERS)) expect(reply.headers[name]).toBe(value);
      expect(reply.headers['x-request-id']).toBeTruthy();
    }
  });
});
