/**
 * The running local stack through a client generated from its own OpenAPI document
 * (openapi-typescript types in test/generated/api.ts, openapi-fetch): every route of the
 * route table is called at least once, and the calls type-check against the document,
 * so a route, parameter, header or media type missing from it fails `npm test`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import createClient from 'openapi-fetch';
import type { Middleware } from 'openapi-fetch';
import { describe, expect, it } from 'vitest';
import { ROUTES } from '../../shared/http/routeTable';
import type { paths } from '../generated/api';
import { stackPorts, startStack } from '../support/localStack';
import { startReceiver } from '../support/receiver';
import { fixture } from '../support/sources';

const ADMIN = 'e2e-typed-admin-key-0123456789abcdef';

describe('npm start through the generated OpenAPI client', () => {
  it('answers every route as its document says', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'registry-events-typed-'));
    const receiver = await startReceiver();
    const stack = await startStack({ ...(await stackPorts()), ADMIN_API_KEY: ADMIN, LOCAL_DATA_DIR: dataDir });
    try {
      await callEveryRoute(stack.baseUrl, receiver.url);
    } finally {
      stack.child.kill('SIGINT');
      await stack.exited;
      await receiver.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 240_000);
});

async function callEveryRoute(baseUrl: string, receiverUrl: string): Promise<void> {
  const called = new Set<string>();
  const record: Middleware = {
    onRequest({ request, schemaPath }) {
      called.add(`${request.method} ${schemaPath}`);
    },
  };
  const admin = createClient<paths>({ baseUrl, headers: { authorization: `Bearer ${ADMIN}` } });
  const anonymous = createClient<paths>({ baseUrl });
  admin.use(record);
  anonymous.use(record);
  const instanceId = 'cri-typed001';

  // meta
  const health = await anonymous.GET('/v1/health', { params: { query: { deep: 'true' } } });
  expect(health.response.status).toBe(200);
  expect(health.data?.checks).toEqual({ table: 'ok', queue: 'ok' });
  const openapi = await anonymous.GET('/v1/openapi.json');
  expect(openapi.response.status).toBe(200);

  // API keys and sessions
  const created = await admin.POST('/v1/api-keys', { body: { name: 'typed-reader', scopes: ['rules:read', 'events:read'], instanceIds: [instanceId] } });
  expect(created.response.status).toBe(201);
  const keyId = created.data?.keyId ?? '';
  expect(created.response.headers.get('location')).toBe(`/v1/api-keys/${keyId}`);
  const keys = await admin.GET('/v1/api-keys');
  expect(keys.data?.apiKeys.map((k) => k.keyId)).toContain(keyId);
  const session = await anonymous.POST('/v1/sessions', { body: { apiKey: created.data?.apiKey ?? '' } });
  expect(session.response.status).toBe(201);
  expect(session.data?.principal).toMatchObject({ kind: 'key', keyId });
  const cookie = (session.response.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  expect(cookie).toMatch(/^ren_session=/);
  const me = await anonymous.GET('/v1/me', { headers: { cookie } });
  expect(me.data).toMatchObject({ kind: 'key', keyId, scopes: ['rules:read', 'events:read'] });
  const signedOut = await anonymous.DELETE('/v1/sessions/current', { headers: { cookie, 'x-requested-with': 'console' } });
  expect(signedOut.response.status).toBe(204);
  expect(signedOut.response.headers.get('set-cookie')).toMatch(/^ren_session=;/);
  expect((await admin.DELETE('/v1/api-keys/{keyId}', { params: { path: { keyId } } })).response.status).toBe(204);

  // Rules: create, list, get, conditional update and delete, test
  const rulePath = { instanceId, ruleId: '' };
  const rule = await admin.POST('/v1/instances/{instanceId}/rules', {
    params: { path: { instanceId } },
    body: { ruleName: 'typed-hook', regionId: 'cn-hangzhou', eventTypes: ['cr:Artifact:BuildCompleted'], scope: { type: 'INSTANCE' }, notify: { method: 'http', url: receiverUrl } },
  });
  expect(rule.response.status).toBe(201);
  rulePath.ruleId = rule.data?.ruleId ?? '';
  expect(rule.response.headers.get('location')).toBe(`/v1/instances/${instanceId}/rules/${rulePath.ruleId}`);
  const listedRules = await admin.GET('/v1/instances/{instanceId}/rules', { params: { path: { instanceId } } });
  expect(listedRules.data?.rules.map((r) => r.ruleId)).toEqual([rulePath.ruleId]);
  expect(listedRules.data?.quotas).toEqual([expect.objectContaining({ regionId: 'cn-hangzhou', used: 1 })]);
  const got = await admin.GET('/v1/instances/{instanceId}/rules/{ruleId}', { params: { path: rulePath } });
  const etag = got.response.headers.get('etag') ?? '';
  expect(etag).not.toBe('');
  const stale = await admin.PATCH('/v1/instances/{instanceId}/rules/{ruleId}', {
    params: { path: rulePath, header: { 'If-Match': '"not-the-etag"' } },
    body: { enabled: true },
  });
  expect(stale.response.status).toBe(412);
  expect(stale.error?.error.code).toBe('PreconditionFailed');
  const patched = await admin.PATCH('/v1/instances/{instanceId}/rules/{ruleId}', { params: { path: rulePath, header: { 'If-Match': etag } }, body: { enabled: true } });
  expect(patched.data?.version).toBe(2);
  expect(patched.response.headers.get('etag')).not.toBe(etag);
  const tested = await admin.POST('/v1/instances/{instanceId}/rules/{ruleId}/test', { params: { path: rulePath } });
  expect(tested.data?.outcome).toBe('delivered');

  // Ingest (structured and batch), history, traces, redelivery
  const eventId = `typed-${Date.now()}`;
  const data = { InstanceId: instanceId, RegionId: 'cn-hangzhou', RepoNamespaceName: 'ns', RepoName: 'api', Tag: 'v1', BuildStatus: 'SUCCESS' };
  const ingested = await admin.POST('/v1/events', {
    body: { specversion: '1.0', id: eventId, source: 'acs.cr', type: 'cr:Artifact:BuildCompleted', data },
    headers: { 'content-type': 'application/cloudevents+json' },
  });
  expect(ingested.response.status).toBe(202);
  expect(ingested.data).toMatchObject({ eventId, status: 'accepted', matchedRuleIds: [rulePath.ruleId] });
  const batch = await admin.POST('/v1/events', {
    body: [{ specversion: '1.0', id: `${eventId}-b`, source: 'acs.cr', type: 'cr:Artifact:BuildCompleted', data }],
    headers: { 'content-type': 'application/cloudevents-batch+json' },
  });
  expect(batch.data).toEqual({ results: [expect.objectContaining({ index: 0, status: 'accepted' })] });
  const history = await admin.GET('/v1/instances/{instanceId}/events', {
    params: { path: { instanceId }, query: { eventType: 'cr:Artifact:BuildCompleted', status: 'SUCCESS', limit: '1' } },
  });
  expect(history.data?.events).toHaveLength(1);
  expect(history.data?.nextToken).toEqual(expect.any(String));
  const trace = await admin.GET('/v1/events/{eventId}', { params: { path: { eventId } } });
  expect(trace.data?.eventId).toBe(eventId);
  const instanceTrace = await admin.GET('/v1/instances/{instanceId}/events/{eventId}', { params: { path: { instanceId, eventId } } });
  expect(instanceTrace.data?.instanceId).toBe(instanceId);
  const redelivered = await admin.POST('/v1/events/{eventId}/redeliver', { params: { path: { eventId } } });
  expect(redelivered.response.status).toBe(202);
  const instanceRedelivered = await admin.POST('/v1/instances/{instanceId}/events/{eventId}/redeliver', {
    params: { path: { instanceId, eventId } },
    body: { ruleId: rulePath.ruleId },
  });
  expect(instanceRedelivered.response.status).toBe(202);

  // Sources: create, list, get, a native webhook, delete
  const source = await admin.POST('/v1/instances/{instanceId}/sources', { params: { path: { instanceId } }, body: { name: 'typed-harbor', kind: 'harbor', regionId: 'cn-hangzhou' } });
  expect(source.response.status).toBe(201);
  const sourceId = source.data?.sourceId ?? '';
  expect(source.response.headers.get('location')).toBe(`/v1/instances/${instanceId}/sources/${sourceId}`);
  expect((await admin.GET('/v1/instances/{instanceId}/sources', { params: { path: { instanceId } } })).data?.sources.map((s) => s.sourceId)).toEqual([sourceId]);
  expect((await admin.GET('/v1/instances/{instanceId}/sources/{sourceId}', { params: { path: { instanceId, sourceId } } })).data?.kind).toBe('harbor');
  const native = await anonymous.POST('/v1/sources/{sourceId}/events', {
    params: { path: { sourceId } },
    body: fixture('harbor', 'default-push-artifact'),
    headers: { authorization: `Bearer ${source.data?.token ?? ''}` },
  });
  expect(native.response.status).toBe(202);
  expect(native.data?.results[0]?.status).toBe('accepted');
  expect((await admin.DELETE('/v1/instances/{instanceId}/sources/{sourceId}', { params: { path: { instanceId, sourceId } } })).response.status).toBe(204);
  // Operations (SPEC §13)
  const resumed = await admin.POST('/v1/instances/{instanceId}/rules/{ruleId}/resume', { params: { path: rulePath } });
  expect(resumed.response.status).toBe(202);
  expect(resumed.data?.requeued).toBe(0);
  const chatbots = await admin.GET('/v1/instances/{instanceId}/chatbots', { params: { path: { instanceId } } });
  expect(chatbots.response.status).toBe(200);
  expect(Array.isArray(chatbots.data?.chatbots)).toBe(true);
  const alertPut = await admin.PUT('/v1/instances/{instanceId}/alerts', { params: { path: { instanceId } }, body: { notify: { method: 'http', url: receiverUrl } } });
  expect(alertPut.response.status).toBe(200);
  const alertGet = await admin.GET('/v1/instances/{instanceId}/alerts', { params: { path: { instanceId } } });
  expect(alertGet.data?.notify).toMatchObject({ method: 'http', secretSet: false });
  expect((await admin.DELETE('/v1/instances/{instanceId}/alerts', { params: { path: { instanceId } } })).response.status).toBe(204);
  const bulk = await admin.POST('/v1/instances/{instanceId}/redeliver', { params: { path: { instanceId } }, body: { states: ['failed', 'dead'] } });
  expect(bulk.response.status).toBe(202);
  expect(typeof bulk.data?.requeued).toBe('number');
  expect((await admin.DELETE('/v1/instances/{instanceId}/rules/{ruleId}', { params: { path: rulePath, header: { 'If-Match': patched.response.headers.get('etag') ?? '' } } })).response.status).toBe(204);

  // Every route of the table was called through the typed client.
  expect([...called].sort()).toEqual(ROUTES.map((r) => `${r.method} ${r.path}`).sort());
}
