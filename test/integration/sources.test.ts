/**
 * SPEC §11 registry sources through the real handlers on DynamoDB Local and the SQS
 * emulator: create (token shown once, stored as a hash), list, get, delete, scopes;
 * the native route's token check (wrong, foreign or revoked → 401, revocation within
 * 5 s); malformed native bodies (400, nothing written); replay → duplicate.
 */
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKeysHandler } from '../../functions/apiKeys';
import { createRulesHandler } from '../../functions/rules';
import { createSourceEventsHandler } from '../../functions/sourceEvents';
import { createSourcesHandler } from '../../functions/sources';
import { dynamoSourceStore } from '../../shared/adapters/dynamo/sourceRepository';
import { REVOCATION_CACHE_MS } from '../../shared/services/authenticate';
import { createSourceAuthenticator } from '../../shared/services/sources';
import { ADMIN_KEY, testRuntime } from '../support/app';
import { createTestTable } from '../support/dynamo';
import type { TestTable } from '../support/dynamo';
import { bearer, call } from '../support/http';
import type { Reply } from '../support/http';
import { captureOutput } from '../support/logs';
import { createTestQueue } from '../support/queue';
import type { TestQueue } from '../support/queue';
import { fixture, makeSource, postNative, resultsOf } from '../support/sources';

const INSTANCE = 'cri-sources1';
let table: TestTable;
let queue: TestQueue;
let rt: ReturnType<typeof testRuntime>;
let sources: ReturnType<typeof createSourcesHandler>;
let native: ReturnType<typeof createSourceEventsHandler>;
let apiKeys: ReturnType<typeof createApiKeysHandler>;
let clock = Date.now();

const errorOf = (r: Reply) => (r.json as { error: { code: string; message: string; details?: { path: string; message: string }[] } }).error;

async function itemCount(): Promise<number> {
  const out = await table.db.send(new ScanCommand({ TableName: table.tableName, Select: 'COUNT' }));
  return out.Count ?? 0;
}

async function apiKey(scopes: string[], instanceIds: string[] = [INSTANCE]): Promise<string> {
  const reply = await call(apiKeys, { method: 'POST', path: '/v1/api-keys', headers: bearer(ADMIN_KEY), body: { name: 'k', scopes, instanceIds } });
  expect(reply.status).toBe(201);
  return (reply.json as { apiKey: string }).apiKey;
}

beforeAll(async () => {
  table = await createTestTable('sources');
  queue = await createTestQueue();
  rt = testRuntime(table, { env: queue.env });
  // The clock of the token cache is the test's, so revocation is checked without waiting.
  rt.sourceAuthenticator = createSourceAuthenticator({ store: dynamoSourceStore(table.db, table.tableName), now: () => clock });
  sources = createSourcesHandler(rt);
  native = createSourceEventsHandler(rt);
  apiKeys = createApiKeysHandler(rt);
});
afterAll(async () => {
  await queue.close();
  await table.drop();
});

describe('sources: create, list, get, delete', () => {
  it('creates a source with its token shown once, an ingest URL, and never the token again', async () => {
    const created = await call(sources, { method: 'POST', path: `/v1/instances/${INSTANCE}/sources`, headers: bearer(ADMIN_KEY), body: { name: 'harbor-prod', kind: 'harbor', regionId: 'cn-hangzhou' } });
    expect(created.status, created.text).toBe(201);
    const body = created.json as Record<string, string>;
    expect(body).toMatchObject({ name: 'harbor-prod', kind: 'harbor', regionId: 'cn-hangzhou', instanceId: INSTANCE });
    expect(body.sourceId).toMatch(/^src-[a-z0-9]{16}$/);
    expect(body.ingestUrl).toBe(`/v1/sources/${body.sourceId}/events`);
    expect(body.token).toMatch(/^rst_src-[a-z0-9]{16}_[A-Za-z0-9_-]{43}$/);
    expect(created.headers.location).toBe(`/v1/instances/${INSTANCE}/sources/${body.sourceId}`);

    const one = await call(sources, { path: `/v1/instances/${INSTANCE}/sources/${body.sourceId}`, headers: bearer(ADMIN_KEY) });
    expect(one.status).toBe(200);
    expect(one.json).toEqual({ sourceId: body.sourceId, name: 'harbor-prod', kind: 'harbor', regionId: 'cn-hangzhou', instanceId: INSTANCE, ingestUrl: body.ingestUrl, createdAt: body.createdAt });
    const list = await call(sources, { path: `/v1/instances/${INSTANCE}/sources`, headers: bearer(ADMIN_KEY) });
    expect((list.json as { sources: { sourceId: string }[] }).sources.map((s) => s.sourceId)).toContain(body.sourceId);
    expect(list.text).not.toContain(body.token?.slice(-43));
    expect(one.text).not.toContain(body.token?.slice(-43));

    // Stored as a hash only.
    const stored = await dynamoSourceStore(table.db, table.tableName).get(body.sourceId ?? '');
    expect(stored?.tokenHash).toMatch(/^[0-9a-f]{64}$/);
    const scan = await table.db.send(new ScanCommand({ TableName: table.tableName }));
    expect(JSON.stringify(scan.Items)).not.toContain(body.token?.slice(-43));

    const deleted = await call(sources, { method: 'DELETE', path: `/v1/instances/${INSTANCE}/sources/${body.sourceId}`, headers: bearer(ADMIN_KEY) });
    expect(deleted.status).toBe(204);
    const gone = await call(sources, { path: `/v1/instances/${INSTANCE}/sources/${body.sourceId}`, headers: bearer(ADMIN_KEY) });
    expect(gone.status).toBe(404);
    expect(errorOf(gone).code).toBe('SourceNotFound');
    const again = await call(sources, { method: 'DELETE', path: `/v1/instances/${INSTANCE}/sources/${body.sourceId}`, headers: bearer(ADMIN_KEY) });
    expect(again.status).toBe(404);
  });

  it('a source of another instance is not found under this one', async () => {
    const other = await makeSource(sources, 'cri-sources2', { name: 'other', kind: 'ecr' });
    const reply = await call(sources, { path: `/v1/instances/${INSTANCE}/sources/${other.sourceId}`, headers: bearer(ADMIN_KEY) });
    expect(reply.status).toBe(404);
    const del = await call(sources, { method: 'DELETE', path: `/v1/instances/${INSTANCE}/sources/${other.sourceId}`, headers: bearer(ADMIN_KEY) });
    expect(del.status).toBe(404);
    const list = await call(sources, { path: `/v1/instances/${INSTANCE}/sources`, headers: bearer(ADMIN_KEY) });
    expect((list.json as { sources: { sourceId: string }[] }).sources.map((s) => s.sourceId)).not.toContain(other.sourceId);
  });

  it('validates the request with paths; refuses unsupported regions', async () => {
    const bad = await call(sources, { method: 'POST', path: `/v1/instances/${INSTANCE}/sources`, headers: bearer(ADMIN_KEY), body: { name: '-x', kind: 'quay', regionId: 'cn-hangzhou', extra: 1 } });
    expect(bad.status).toBe(400);
    expect(errorOf(bad).details?.map((d) => d.path).sort()).toEqual(['extra', 'kind', 'name']);
    const region = await call(sources, { method: 'POST', path: `/v1/instances/${INSTANCE}/sources`, headers: bearer(ADMIN_KEY), body: { name: 'x', kind: 'ecr', regionId: 'eu-west-1' } });
    expect(region.status).toBe(400);
    expect(errorOf(region).code).toBe('RegionNotSupported');
    const badId = await call(sources, { path: `/v1/instances/${INSTANCE}/sources/nope`, headers: bearer(ADMIN_KEY) });
    expect(badId.status).toBe(400);
    expect(errorOf(badId).details?.[0]?.path).toBe('path.sourceId');
  });

  it('needs rules:write to create and delete, rules:read to read, and the instance', async () => {
    const reader = await apiKey(['rules:read']);
    const writer = await apiKey(['rules:write']);
    const elsewhere = await apiKey(['rules:read', 'rules:write'], ['cri-elsewhere']);
    const body = { name: 'scoped', kind: 'distribution', regionId: 'cn-hangzhou' };
    const post = (key: string) => call(sources, { method: 'POST', path: `/v1/instances/${INSTANCE}/sources`, headers: bearer(key), body });
    expect((await post(reader)).status).toBe(403);
    expect((await post(elsewhere)).status).toBe(403);
    const made = await post(writer);
    expect(made.status).toBe(201);
    const id = (made.json as { sourceId: string }).sourceId;
    expect((await call(sources, { path: `/v1/instances/${INSTANCE}/sources/${id}`, headers: bearer(reader) })).status).toBe(200);
    expect((await call(sources, { path: `/v1/instances/${INSTANCE}/sources`, headers: bearer(writer) })).status).toBe(403);
    expect((await call(sources, { method: 'DELETE', path: `/v1/instances/${INSTANCE}/sources/${id}`, headers: bearer(reader) })).status).toBe(403);
    expect((await call(sources, { path: `/v1/instances/${INSTANCE}/sources`, headers: {} })).status).toBe(401);
    expect((await call(sources, { method: 'DELETE', path: `/v1/instances/${INSTANCE}/sources/${id}`, headers: bearer(writer) })).status).toBe(204);
  });
});

describe('native ingest: the token', () => {
  it('wrong, foreign, missing or API-key bearers are 401, before the body is read, and write nothing', async () => {
    const source = await makeSource(sources, INSTANCE, { name: 'harbor-auth', kind: 'harbor' });
    const other = await makeSource(sources, INSTANCE, { name: 'harbor-other', kind: 'harbor' });
    const body = fixture('harbor', 'default-push-artifact');
    const before = await itemCount();
    const cases: [string, Record<string, string>][] = [
      ['none', {}],
      ['the admin key', bearer(ADMIN_KEY)],
      ["another source's token", bearer(other.token)],
      ['a forged token for this source', bearer(`rst_${source.sourceId}_${'A'.repeat(43)}`)],
      ['the token without Bearer', { authorization: source.token }],
    ];
    for (const [what, headers] of cases) {
      const reply = await call(native, { method: 'POST', path: source.ingestUrl, headers: { 'content-type': 'application/json', ...headers }, body: '{not json' });
      expect(reply.status, what).toBe(401);
      expect(errorOf(reply).code, what).toBe('Unauthorized');
      expect(errorOf(reply).message, what).toContain("source's token");
    }
    const unknown = await call(native, { method: 'POST', path: '/v1/sources/src-0000000000000000/events', headers: bearer(source.token), body });
    expect(unknown.status).toBe(401);
    expect(await itemCount()).toBe(before);
  });

  it('a deleted source\'s token stops working within the revocation window (5 s)', async () => {
    const source = await makeSource(sources, INSTANCE, { name: 'to-delete', kind: 'ecr' });
    const first = await postNative(native, source, fixture('ecr', 'image-delete'));
    expect(first.status).toBe(202); // authenticated, and cached
    expect((await call(sources, { method: 'DELETE', path: `/v1/instances/${INSTANCE}/sources/${source.sourceId}`, headers: bearer(ADMIN_KEY) })).status).toBe(204);
    expect(REVOCATION_CACHE_MS).toBeLessThan(5_000);
    clock += REVOCATION_CACHE_MS + 1;
    const after = await postNative(native, source, fixture('ecr', 'image-delete'));
    expect(after.status).toBe(401);
  });

  it('the token never reaches a log line', async () => {
    const source = await makeSource(sources, INSTANCE, { name: 'quiet', kind: 'distribution' });
    const output = captureOutput();
    try {
      await postNative(native, source, fixture('distribution', 'envelope-pull'));
      await postNative(native, source, '{broken');
    } finally {
      output.restore();
    }
    expect(output.lines()).toContain('source payload received');
    // The ignored pull is counted (CloudWatch EMF), not stored.
    expect(output.lines()).toContain('"SourceItemsIgnored":1');
    expect(output.lines()).not.toContain(source.token.slice(-43));
  });
});

describe('native ingest: malformed bodies are 400 and write nothing', () => {
  const cases: [string, 'harbor' | 'distribution' | 'ecr' | 'acr', unknown, string][] = [
    ['harbor: not JSON', 'harbor', '{"type":', ''],
    ['harbor: an array', 'harbor', [1, 2], ''],
    ['harbor: neither format', 'harbor', { hello: 'world' }, 'type'],
    ['harbor: no resources', 'harbor', { type: 'PUSH_ARTIFACT', occur_at: 1680501893, event_data: { resources: [], repository: { name: 'a', namespace: 'b' } } }, 'event_data.resources'],
    [
      'harbor: a resource with neither tag nor digest (the other one fine)',
      'harbor',
      { type: 'PUSH_ARTIFACT', occur_at: 1680501893, event_data: { resources: [{ tag: 'v1' }, { resource_url: 'x' }], repository: { name: 'a', namespace: 'b' } } },
      'event_data.resources.1.tag',
    ],
    ['harbor: CloudEvents without time', 'harbor', { specversion: '1.0', id: 'x', type: 'harbor.artifact.pushed', data: {} }, 'time'],
    ['harbor: an invalid project name', 'harbor', { type: 'PUSH_ARTIFACT', occur_at: 1680501893, event_data: { resources: [{ tag: 'v1' }], repository: { name: 'a', namespace: 'Bad Name' } } }, 'event_data.resources.0.namespace'],
    ['distribution: events not a list', 'distribution', { events: 'push' }, 'events'],
    ['distribution: a manifest push without repository', 'distribution', { events: [{ id: 'd-1', timestamp: '2006-01-02T15:04:05Z', action: 'push', target: { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: 'sha256:ab' } }] }, 'events.0.target.repository'],
    ['distribution: a bad timestamp', 'distribution', { events: [{ id: 'd-2', timestamp: 'yesterday', action: 'push', target: { repository: 'a/b', tag: 'v1', mediaType: 'application/vnd.oci.image.manifest.v1+json' } }] }, 'events.0.timestamp'],
    ['ecr: no detail', 'ecr', { id: 'e-1', 'detail-type': 'ECR Image Action', source: 'aws.ecr', time: '2019-11-16T01:54:34Z' }, 'detail'],
    ['ecr: a push without repository-name', 'ecr', { id: 'e-2', 'detail-type': 'ECR Image Action', source: 'aws.ecr', time: '2019-11-16T01:54:34Z', detail: { 'action-type': 'PUSH', result: 'SUCCESS' } }, 'detail.repository-name'],
    ['acr: no Tag', 'acr', { specversion: '1.0', id: 'a-1', source: 's', type: 'cr:Artifact:PushCompleted', data: { RepoNamespaceName: 'a', RepoName: 'b', PushStatus: 'SUCCESS' } }, 'data.Tag'],
    ['acr: a Harbor body sent to an ACR source (not a CloudEvent)', 'acr', { type: 'PUSH_ARTIFACT', occur_at: 1, event_data: { resources: [{ tag: 'v1' }] } }, 'specversion'],
    ['acr: a CloudEvent of a type we do not map, without its id', 'acr', { specversion: '1.0', source: 's', type: 'cr:Artifact:PullCompleted', data: {} }, 'id'],
    ['acr: another instance', 'acr', { specversion: '1.0', id: 'a-2', source: 's', type: 'cr:Artifact:PushCompleted', data: { InstanceId: 'cri-other001', RepoNamespaceName: 'a', RepoName: 'b', Tag: 't', PushStatus: 'SUCCESS' } }, 'data.InstanceId'],
  ];
  let made: Record<string, { ingestUrl: string; token: string }> = {};
  beforeAll(async () => {
    made = {};
    for (const kind of ['harbor', 'distribution', 'ecr', 'acr']) made[kind] = await makeSource(sources, INSTANCE, { name: `bad-${kind}`, kind });
  });

  it.each(cases)('%s', async (_name, kind, body, path) => {
    const before = await itemCount();
    const source = made[kind];
    if (!source) throw new Error('no source');
    const reply = await postNative(native, source, body);
    expect(reply.status, reply.text).toBe(400);
    const error = errorOf(reply);
    expect(['MalformedJson', 'ValidationFailed']).toContain(error.code);
    if (path !== '') expect(error.details?.map((d) => d.path)).toContain(path);
    expect(await itemCount()).toBe(before);
  });

  it('a mixed envelope with one malformed manifest push records none of it', async () => {
    const before = await itemCount();
    const good = (fixture('distribution', 'envelope-push').events as Record<string, unknown>[])[0];
    const reply = await postNative(native, made.distribution ?? { ingestUrl: '', token: '' }, { events: [{ ...good, id: 'mixed-good' }, { ...good, id: 'mixed-bad', target: { mediaType: 'application/vnd.oci.image.index.v1+json' } }] });
    expect(reply.status).toBe(400);
    expect(await itemCount()).toBe(before);
  });
});

describe('native ingest: what is stored', () => {
  it('the native payload once per request, not once per event; nothing at all for ignored items', async () => {
    const source = await makeSource(sources, INSTANCE, { name: 'stored-once', kind: 'harbor' });
    const body = fixture('harbor', 'cloudevents-push-artifact');
    body.id = 'stored-once';
    body.data = { repository: { name: 'api', namespace: 'team-a' }, resources: ['v1', 'v2', 'v3'].map((tag) => ({ tag, digest: `sha256:${'b'.repeat(64)}` })) };
    const before = await itemCount();
    const reply = await postNative(native, source, body);
    expect(resultsOf(reply).map((r) => r.status)).toEqual(['accepted', 'accepted', 'accepted']);
    const scan = await table.db.send(new ScanCommand({ TableName: table.tableName }));
    const payloads = (scan.Items ?? []).filter((item) => String(item.pk).startsWith(`PAYLOAD#${source.sourceId}#`));
    expect(payloads).toHaveLength(1);
    expect(JSON.parse(String(payloads[0]?.json))).toEqual(body);
    const events = (scan.Items ?? []).filter((item) => ['stored-once:0', 'stored-once:1', 'stored-once:2'].includes(String(item.eventId)) && item.sk === `EVENT#${INSTANCE}`);
    expect(events).toHaveLength(3);
    for (const event of events) expect(JSON.stringify(event)).not.toContain('"repository"');
    expect(await itemCount()).toBe(before + 4);

    const ignoredBefore = await itemCount();
    const pull = await postNative(native, source, fixture('harbor', 'default-pull-artifact'));
    expect(resultsOf(pull)).toEqual([{ index: 0, status: 'ignored' }]);
    expect(await itemCount()).toBe(ignoredBefore);
  });
});

describe('native ingest: replay', () => {
  it('the same payload again is a duplicate with no new deliveries; the same id with other content conflicts', async () => {
    // Its own instance: the rule cache of INSTANCE may hold a rule set from before this rule (changes apply within 5 s).
    const instance = 'cri-replay01';
    const source = await makeSource(sources, instance, { name: 'replayed', kind: 'ecr' });
    const rule = await call(createRulesHandler(rt), {
      method: 'POST',
      path: `/v1/instances/${instance}/rules`,
      headers: bearer(ADMIN_KEY),
      body: { ruleName: 'ecr-pushes', regionId: 'cn-hangzhou', eventTypes: ['cr:Artifact:PushCompleted'], scope: { type: 'NAMESPACE', namespaces: ['library'] }, notify: { method: 'http', url: 'http://127.0.0.1:9/hook' } },
    });
    expect(rule.status, rule.text).toBe(201);
    await queue.drain();
    const body = fixture('ecr', 'image-push');
    body.id = 'replay-1';
    const first = await postNative(native, source, body);
    expect(resultsOf(first)).toEqual([expect.objectContaining({ index: 0, eventId: 'replay-1', status: 'accepted' })]);
    expect(resultsOf(first)[0]?.matchedRuleIds).toEqual([(rule.json as { ruleId: string }).ruleId]);
    expect((await queue.drain()).map((m) => m.eventId)).toEqual(['replay-1']);
    const second = await postNative(native, source, body);
    expect(second.status).toBe(202);
    expect(resultsOf(second)).toEqual([expect.objectContaining({ index: 0, eventId: 'replay-1', status: 'duplicate' })]);
    expect(await queue.drain()).toEqual([]);
    const changed = await postNative(native, source, { ...body, detail: { ...(body.detail as object), 'image-tag': 'other' } });
    expect(changed.status).toBe(202);
    expect(resultsOf(changed)).toEqual([expect.objectContaining({ index: 0, eventId: 'replay-1', status: 'rejected', error: expect.objectContaining({ code: 'EventIdConflict' }) })]);
  });
});
