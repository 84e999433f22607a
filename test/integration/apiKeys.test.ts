import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKeysHandler } from '../../functions/apiKeys';
import { createRulesHandler } from '../../functions/rules';
import { createIngestHandler } from '../../functions/ingest';
import { REVOCATION_CACHE_MS } from '../../shared/services/authenticate';
import { createTestTable } from '../support/dynamo';
import type { TestTable } from '../support/dynamo';
import { bearer, call } from '../support/http';
import { captureOutput } from '../support/logs';
import { ADMIN_KEY, testRuntime } from '../support/app';

let table: TestTable;
let clock = Date.now();
let rt: ReturnType<typeof testRuntime>;
let apiKeys: ReturnType<typeof createApiKeysHandler>;
let rules: ReturnType<typeof createRulesHandler>;
let ingest: ReturnType<typeof createIngestHandler>;

async function createKey(body: object) {
  const reply = await call(apiKeys, { method: 'POST', path: '/v1/api-keys', headers: bearer(ADMIN_KEY), body });
  expect(reply.status).toBe(201);
  return reply.json as { keyId: string; apiKey: string };
}

beforeAll(async () => {
  table = await createTestTable('apikeys');
  rt = testRuntime(table, { now: () => clock });
  apiKeys = createApiKeysHandler(rt);
  rules = createRulesHandler(rt);
  ingest = createIngestHandler(rt);
});
afterAll(() => table.drop());

describe('API keys', () => {
  it('creates a key shown once, lists it without any secret, and revokes it', async () => {
    const created = await call(apiKeys, {
      method: 'POST',
      path: '/v1/api-keys',
      headers: bearer(ADMIN_KEY),
      body: { name: 'ci-publisher', scopes: ['events:write'], instanceIds: ['cri-abc123'] },
    });
    expect(created.status).toBe(201);
    const body = created.json as Record<string, unknown>;
    expect(body).toMatchObject({ name: 'ci-publisher', scopes: ['events:write'], instanceIds: ['cri-abc123'] });
    expect(body.keyId).toMatch(/^ak-[a-z0-9]{16}$/);
    expect(body.apiKey).toMatch(/^rek_ak-[a-z0-9]{16}_[A-Za-z0-9_-]{43}$/);
    expect(created.headers.location).toBe(`/v1/api-keys/${String(body.keyId)}`);

    const listed = await call(apiKeys, { path: '/v1/api-keys', headers: bearer(ADMIN_KEY) });
    expect(listed.status).toBe(200);
    expect(listed.text).not.toContain(String(body.apiKey));
    expect(listed.text).not.toContain('keyHash');
    const entry = (listed.json as { apiKeys: Record<string, unknown>[] }).apiKeys.find((k) => k.keyId === body.keyId);
    expect(entry).toEqual({
      keyId: body.keyId,
      name: 'ci-publisher',
      scopes: ['events:write'],
      instanceIds: ['cri-abc123'],
      createdAt: body.createdAt,
      status: 'active',
    });

    const revoked = await call(apiKeys, { method: 'DELETE', path: `/v1/api-keys/${String(body.keyId)}`, headers: bearer(ADMIN_KEY) });
    expect(revoked.status).toBe(204);
    const after = await call(apiKeys, { path: '/v1/api-keys', headers: bearer(ADMIN_KEY) });
    const entryAfter = (after.json as { apiKeys: Record<string, unknown>[] }).apiKeys.find((k) => k.keyId === body.keyId);
    expect(entryAfter?.status).toBe('revoked');
  });

  it('stores only a hash of the key', async () => {
    const { keyId, apiKey } = await createKey({ name: 'hash-check', scopes: ['rules:read'], instanceIds: ['*'] });
    const record = await rt.apiKeys.get(keyId);
    expect(JSON.stringify(record)).not.toContain(apiKey);
    expect(JSON.stringify(record)).not.toContain(apiKey.slice(-43));
    expect(record?.keyHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('validates the create request with precise paths', async () => {
    const reply = await call(apiKeys, {
      method: 'POST',
      path: '/v1/api-keys',
      headers: bearer(ADMIN_KEY),
      body: { name: '', scopes: ['events:admin'], instanceIds: ['nope', '*'], extra: 1 },
    });
    expect(reply.status).toBe(400);
    const error = (reply.json as { error: { code: string; details: { path: string }[] } }).error;
    expect(error.code).toBe('ValidationFailed');
    const paths = error.details.map((d) => d.path);
    expect(paths).toEqual(expect.arrayContaining(['name', 'scopes.0', 'instanceIds.0', 'extra']));
  });

  it('revoking an unknown key is 404 and a malformed id is 400', async () => {
    const unknown = await call(apiKeys, { method: 'DELETE', path: '/v1/api-keys/ak-0000000000000000', headers: bearer(ADMIN_KEY) });
    expect(unknown.status).toBe(404);
    expect((unknown.json as { error: { code: string } }).error.code).toBe('ApiKeyNotFound');
    const malformed = await call(apiKeys, { method: 'DELETE', path: '/v1/api-keys/not-a-key', headers: bearer(ADMIN_KEY) });
    expect(malformed.status).toBe(400);
    expect((malformed.json as { error: { details: { path: string }[] } }).error.details[0]?.path).toBe('path.keyId');
  });
});

describe('authentication: 401', () => {
  const cases: [string, Record<string, string>][] = [
    ['no Authorization header', {}],
    ['a non-bearer scheme', { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` }],
    ['an empty bearer', { authorization: 'Bearer ' }],
    ['an unknown key of our format', { authorization: `Bearer rek_ak-aaaaaaaaaaaaaaaa_${'x'.repeat(43)}` }],
    ['a random string', { authorization: 'Bearer hello' }],
    ['the admin key with a suffix', { authorization: `Bearer ${ADMIN_KEY}x` }],
  ];
  it.each(cases)('rejects %s with 401 Unauthorized', async (_name, headers) => {
    const reply = await call(apiKeys, { path: '/v1/api-keys', headers });
    expect(reply.status).toBe(401);
    expect(reply.json).toEqual({ error: { code: 'Unauthorized', message: expect.any(String) } });
    expect(reply.headers['www-authenticate']).toBe('Bearer');
  });

  it('rejects a real key with one character changed', async () => {
    const { apiKey } = await createKey({ name: 'tamper', scopes: ['rules:read'], instanceIds: ['*'] });
    const last = apiKey.at(-1) === 'A' ? 'B' : 'A';
    const reply = await call(rules, { path: '/v1/instances/cri-abc123/rules', headers: bearer(apiKey.slice(0, -1) + last) });
    expect(reply.status).toBe(401);
  });

  it('a revoked key stops working within the revocation window (5 s)', async () => {
    const { keyId, apiKey } = await createKey({ name: 'to-revoke', scopes: ['rules:read'], instanceIds: ['*'] });
    const before = await call(rules, { path: '/v1/instances/cri-abc123/rules', headers: bearer(apiKey) });
    expect(before.status).not.toBe(401); // authenticated (and cached)
    await call(apiKeys, { method: 'DELETE', path: `/v1/api-keys/${keyId}`, headers: bearer(ADMIN_KEY) });
    clock += REVOCATION_CACHE_MS + 1;
    expect(REVOCATION_CACHE_MS).toBeLessThan(5_000);
    const after = await call(rules, { path: '/v1/instances/cri-abc123/rules', headers: bearer(apiKey) });
    expect(after.status).toBe(401);
  });
});

describe('authorisation: 403', () => {
  it('a scoped key cannot manage API keys', async () => {
    const { apiKey } = await createKey({ name: 'scoped', scopes: ['rules:read', 'rules:write', 'events:read', 'events:write'], instanceIds: ['*'] });
    for (const init of [
      { path: '/v1/api-keys' },
      { method: 'POST', path: '/v1/api-keys', body: { name: 'x', scopes: ['rules:read'], instanceIds: ['*'] } },
      { method: 'DELETE', path: '/v1/api-keys/ak-0000000000000000' },
    ]) {
      const reply = await call(apiKeys, { ...init, headers: bearer(apiKey) });
      expect(reply.status).toBe(403);
      expect((reply.json as { error: { code: string } }).error.code).toBe('Forbidden');
    }
  });

  it('a key without the scope is 403; with the scope it passes auth', async () => {
    const { apiKey } = await createKey({ name: 'reader', scopes: ['rules:read'], instanceIds: ['cri-abc123'] });
    const write = await call(rules, { method: 'POST', path: '/v1/instances/cri-abc123/rules', headers: bearer(apiKey), body: {} });
    expect(write.status).toBe(403);
    const ingestReply = await call(ingest, { method: 'POST', path: '/v1/events', headers: bearer(apiKey), body: {} });
    expect(ingestReply.status).toBe(403);
    const read = await call(rules, { path: '/v1/instances/cri-abc123/rules', headers: bearer(apiKey) });
    expect([401, 403]).not.toContain(read.status);
  });

  it('a key for another instance is 403', async () => {
    const { apiKey } = await createKey({ name: 'other', scopes: ['rules:read'], instanceIds: ['cri-abc123'] });
    const reply = await call(rules, { path: '/v1/instances/cri-zzz999/rules', headers: bearer(apiKey) });
    expect(reply.status).toBe(403);
    const star = await createKey({ name: 'star', scopes: ['rules:read'], instanceIds: ['*'] });
    const ok = await call(rules, { path: '/v1/instances/cri-zzz999/rules', headers: bearer(star.apiKey) });
    expect([401, 403]).not.toContain(ok.status);
  });

  it('admin key reaches every route', async () => {
    const reply = await call(rules, { path: '/v1/instances/cri-zzz999/rules', headers: bearer(ADMIN_KEY) });
    expect([401, 403]).not.toContain(reply.status);
  });
});

describe('secrets never leak', () => {
  it('keys and the admin key never appear in logs or error responses', async () => {
    const output = captureOutput();
    let created: { apiKey: string; keyId: string };
    try {
      created = await createKey({ name: 'leak-check', scopes: ['events:read'], instanceIds: ['*'] });
      await call(apiKeys, { path: '/v1/api-keys', headers: bearer(created.apiKey) });
      await call(apiKeys, { path: '/v1/api-keys', headers: bearer(`${created.apiKey}x`) });
      await call(apiKeys, { method: 'POST', path: '/v1/api-keys', headers: bearer(ADMIN_KEY), body: `{"name":"${created.apiKey}` });
      rt.logger.info('attempted leak', { authorization: `Bearer ${created.apiKey}`, note: `key ${created.apiKey} and ${ADMIN_KEY}` });
    } finally {
      output.restore();
    }
    const text = output.lines();
    expect(text).toContain('attempted leak');
    expect(text).toContain(created.keyId);
    expect(text).not.toContain(created.apiKey);
    expect(text).not.toContain(created.apiKey.slice(-43));
    expect(text).not.toContain(ADMIN_KEY);
  });
});
