/**
 * Console sessions (SPEC §10) through the real middy stacks and DynamoDB Local: the
 * cookie's attributes, what it authenticates, the CSRF header rule, sign-out, expiry,
 * revocation, and that neither key nor token shows up in a response or a log line.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKeysHandler } from '../../functions/apiKeys';
import { createRulesHandler } from '../../functions/rules';
import { REVOCATION_CACHE_MS } from '../../shared/services/authenticate';
import { SESSION_TTL_SECONDS } from '../../shared/domain/sessions';
import { createTestTable } from '../support/dynamo';
import type { TestTable } from '../support/dynamo';
import { bearer, call } from '../support/http';
import type { RequestInit } from '../support/http';
import { captureOutput } from '../support/logs';
import { ADMIN_KEY, testRuntime } from '../support/app';

let table: TestTable;
let clock = Date.now();
let apiKeys: ReturnType<typeof createApiKeysHandler>;
let rules: ReturnType<typeof createRulesHandler>;

const I = 'cri-sess0001';
const CONSOLE = { 'x-requested-with': 'console' };
const rule = (name: string) => ({
  ruleName: name,
  regionId: 'cn-hangzhou',
  eventTypes: ['cr:Artifact:ScanCompleted'],
  scope: { type: 'INSTANCE' },
  notify: { method: 'https', url: 'https://hooks.example.com/registry' },
});

async function createKey(body: object): Promise<{ keyId: string; apiKey: string }> {
  const reply = await call(apiKeys, { method: 'POST', path: '/v1/api-keys', headers: bearer(ADMIN_KEY), body });
  expect(reply.status).toBe(201);
  return reply.json as { keyId: string; apiKey: string };
}

/** Signs in and returns the cookie as a browser would send it back (`name=value`). */
async function signIn(apiKey: string, headers: Record<string, string> = {}) {
  const reply = await call(apiKeys, { method: 'POST', path: '/v1/sessions', headers, body: { apiKey } });
  expect(reply.status, reply.text).toBe(201);
  const setCookie = reply.cookies[0] ?? '';
  return { reply, setCookie, cookie: setCookie.split(';')[0] ?? '' };
}

const asCookie = (cookie: string, init: RequestInit): RequestInit => ({ ...init, cookies: [cookie] });

beforeAll(async () => {
  table = await createTestTable('sessions');
  const rt = testRuntime(table, { now: () => clock });
  apiKeys = createApiKeysHandler(rt);
  rules = createRulesHandler(rt);
});
afterAll(() => table.drop());

describe('POST /v1/sessions', () => {
  it('trades a key for an HttpOnly, SameSite=Strict cookie of at most 8 hours, and says who signed in', async () => {
    const key = await createKey({ name: 'console-user', scopes: ['rules:read', 'rules:write'], instanceIds: [I] });
    const { reply, setCookie, cookie } = await signIn(key.apiKey);
    expect(setCookie).toMatch(/^ren_session=[A-Za-z0-9_-]{43}; /);
    const attributes = setCookie.split('; ').slice(1);
    expect(attributes).toEqual(expect.arrayContaining(['Path=/', 'HttpOnly', 'SameSite=Strict', `Max-Age=${SESSION_TTL_SECONDS}`]));
    expect(SESSION_TTL_SECONDS).toBeLessThanOrEqual(8 * 3600);
    // Plain HTTP on the local stack: a Secure cookie would be dropped by the browser.
    expect(attributes).not.toContain('Secure');
    const body = reply.json as { principal: Record<string, unknown>; expiresAt: string };
    expect(body.principal).toEqual({ kind: 'key', keyId: key.keyId, name: 'console-user', scopes: ['rules:read', 'rules:write'], instanceIds: [I] });
    expect(Date.parse(body.expiresAt) - Date.now()).toBeLessThanOrEqual(SESSION_TTL_SECONDS * 1000);
    // Neither the key nor the session token is in the body.
    expect(reply.text).not.toContain(key.apiKey);
    expect(reply.text).not.toContain(cookie.split('=')[1] ?? 'x');

    const me = await call(apiKeys, asCookie(cookie, { path: '/v1/me' }));
    expect(me.status).toBe(200);
    expect(me.json).toEqual(body.principal);
  });

  it('marks the cookie Secure over HTTPS', async () => {
    const { setCookie } = await signIn(ADMIN_KEY, { 'x-forwarded-proto': 'https' });
    expect(setCookie.split('; ')).toContain('Secure');
  });

  it('refuses unknown keys (401, no cookie) and malformed bodies (400)', async () => {
    const unknown = await call(apiKeys, { method: 'POST', path: '/v1/sessions', body: { apiKey: 'rek_ak-0000000000000000_' + 'A'.repeat(43) } });
    expect(unknown.status).toBe(401);
    expect(unknown.cookies).toEqual([]);
    expect((unknown.json as { error: { code: string } }).error.code).toBe('Unauthorized');
    for (const body of [{}, { apiKey: '' }, { apiKey: 'x', extra: 1 }, { apiKey: 42 }]) {
      const reply = await call(apiKeys, { method: 'POST', path: '/v1/sessions', body });
      expect(reply.status, JSON.stringify(body)).toBe(400);
      expect((reply.json as { error: { code: string } }).error.code).toBe('ValidationFailed');
    }
    const notJson = await call(apiKeys, { method: 'POST', path: '/v1/sessions', body: '{"apiKey":' });
    expect(notJson.status).toBe(400);
    expect((notJson.json as { error: { code: string } }).error.code).toBe('MalformedJson');
  });

  it('answers /v1/me for the admin key with every scope and instance', async () => {
    const { cookie } = await signIn(ADMIN_KEY);
    const me = await call(apiKeys, asCookie(cookie, { path: '/v1/me' }));
    expect(me.json).toEqual({ kind: 'admin', scopes: ['rules:read', 'rules:write', 'events:read', 'events:write'], instanceIds: ['*'] });
    const bearerMe = await call(apiKeys, { path: '/v1/me', headers: bearer(ADMIN_KEY) });
    expect(bearerMe.json).toEqual(me.json);
    expect((await call(apiKeys, { path: '/v1/me' })).status).toBe(401);
  });
});

describe('requests carried by the session cookie', () => {
  it('act as the key: its scopes and instances; state changes need x-requested-with: console', async () => {
    const key = await createKey({ name: 'rules-writer', scopes: ['rules:read', 'rules:write'], instanceIds: [I] });
    const { cookie } = await signIn(key.apiKey);
    const path = `/v1/instances/${I}/rules`;

    expect((await call(rules, asCookie(cookie, { path }))).status).toBe(200);
    const forged = await call(rules, asCookie(cookie, { method: 'POST', path, body: rule('csrf-attempt') }));
    expect(forged.status).toBe(403);
    expect((forged.json as { error: { code: string; message: string } }).error).toMatchObject({ code: 'Forbidden' });
    expect((forged.json as { error: { message: string } }).error.message).toContain('x-requested-with: console');
    const wrongValue = await call(rules, asCookie(cookie, { method: 'POST', path, headers: { 'x-requested-with': 'XMLHttpRequest' }, body: rule('csrf-attempt') }));
    expect(wrongValue.status).toBe(403);
    const created = await call(rules, asCookie(cookie, { method: 'POST', path, headers: CONSOLE, body: rule('from-console') }));
    expect(created.status, created.text).toBe(201);

    // Another instance: 403 as for a bearer key.
    expect((await call(rules, asCookie(cookie, { path: '/v1/instances/cri-other0001/rules' }))).status).toBe(403);
    // The list says how much of the region's quota is used, across every instance.
    const listed = (await call(rules, asCookie(cookie, { path }))).json as { rules: unknown[]; quotas: { regionId: string; used: number; limit: number }[] };
    expect(listed.quotas).toEqual([{ regionId: 'cn-hangzhou', used: expect.any(Number) as number, limit: 10 }]);
    expect(listed.quotas[0]?.used).toBeGreaterThanOrEqual(listed.rules.length);
  });

  it('lacking a scope is 403; a bearer header wins over the cookie', async () => {
    const reader = await createKey({ name: 'reader', scopes: ['rules:read'], instanceIds: [I] });
    const { cookie } = await signIn(reader.apiKey);
    const path = `/v1/instances/${I}/rules`;
    expect((await call(rules, asCookie(cookie, { method: 'POST', path, headers: CONSOLE, body: rule('reader-write') }))).status).toBe(403);
    const withAdminBearer = await call(rules, asCookie(cookie, { method: 'POST', path, headers: bearer(ADMIN_KEY), body: rule('bearer-wins') }));
    expect(withAdminBearer.status).toBe(201);
    // A bad bearer is not rescued by a good cookie.
    expect((await call(rules, asCookie(cookie, { path, headers: bearer('nope') }))).status).toBe(401);
  });

  it('stop working when the key is revoked (within the revocation window)', async () => {
    const key = await createKey({ name: 'to-revoke', scopes: ['rules:read'], instanceIds: [I] });
    const { cookie } = await signIn(key.apiKey);
    const path = `/v1/instances/${I}/rules`;
    expect((await call(rules, asCookie(cookie, { path }))).status).toBe(200);
    expect((await call(apiKeys, { method: 'DELETE', path: `/v1/api-keys/${key.keyId}`, headers: bearer(ADMIN_KEY) })).status).toBe(204);
    clock += REVOCATION_CACHE_MS + 1;
    expect((await call(rules, asCookie(cookie, { path }))).status).toBe(401);
    expect((await call(apiKeys, asCookie(cookie, { path: '/v1/me' }))).status).toBe(401);
  });

  it('stop working after 8 hours', async () => {
    const { cookie } = await signIn(ADMIN_KEY);
    expect((await call(apiKeys, asCookie(cookie, { path: '/v1/me' }))).status).toBe(200);
    const saved = clock;
    clock = Date.now() + SESSION_TTL_SECONDS * 1000 + REVOCATION_CACHE_MS + 1;
    try {
      expect((await call(apiKeys, asCookie(cookie, { path: '/v1/me' }))).status).toBe(401);
    } finally {
      clock = saved + REVOCATION_CACHE_MS + 1;
    }
  });

  it('ignore junk and unknown session cookies (401)', async () => {
    for (const cookie of ['ren_session=<script>', `ren_session=${'A'.repeat(43)}`, 'other=1', 'ren_session=']) {
      expect((await call(apiKeys, asCookie(cookie, { path: '/v1/me' }))).status, cookie).toBe(401);
    }
    const viaHeader = await call(apiKeys, { path: '/v1/me', headers: { cookie: `a=b; ${(await signIn(ADMIN_KEY)).cookie}` } });
    expect(viaHeader.status).toBe(200);
  });
});

describe('DELETE /v1/sessions/current', () => {
  it('needs the console header, ends the session at once and clears the cookie', async () => {
    const { cookie } = await signIn(ADMIN_KEY);
    const forged = await call(apiKeys, asCookie(cookie, { method: 'DELETE', path: '/v1/sessions/current' }));
    expect(forged.status).toBe(403);
    const out = await call(apiKeys, asCookie(cookie, { method: 'DELETE', path: '/v1/sessions/current', headers: CONSOLE }));
    expect(out.status).toBe(204);
    expect(out.cookies[0]).toMatch(/^ren_session=; .*Max-Age=0/);
    expect(out.cookies[0]).toContain('HttpOnly');
    expect((await call(apiKeys, asCookie(cookie, { path: '/v1/me' }))).status).toBe(401);
  });
});

describe('secrets', () => {
  it('never log the key or the session token', async () => {
    const key = await createKey({ name: 'logged', scopes: ['rules:read'], instanceIds: [I] });
    const capture = captureOutput();
    let token = '';
    try {
      const { cookie } = await signIn(key.apiKey);
      token = cookie.split('=')[1] ?? '';
      await call(apiKeys, asCookie(cookie, { path: '/v1/me' }));
      await call(apiKeys, asCookie(cookie, { method: 'DELETE', path: '/v1/sessions/current', headers: CONSOLE }));
    } finally {
      capture.restore();
    }
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(capture.lines()).toContain('console session started');
    expect(capture.lines()).not.toContain(key.apiKey);
    expect(capture.lines()).not.toContain(token);
  });
});
