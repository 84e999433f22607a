/**
 * SPEC §4 v2: event ids are unique per instance — the same id under two instances is two
 * events, and nothing of one instance's ids (existence, content, conflicts) shows to a key
 * of another. And bounded input: nesting deeper than 64 levels is 400 ValidationFailed,
 * never a 5xx, and in a batch only the too-deep event is rejected.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKeysHandler } from '../../functions/apiKeys';
import { createEventsHandler } from '../../functions/events';
import { createIngestHandler } from '../../functions/ingest';
import { createRulesHandler } from '../../functions/rules';
import { ADMIN_KEY, testRuntime } from '../support/app';
import { createTestTable } from '../support/dynamo';
import type { TestTable } from '../support/dynamo';
import { bearer, call } from '../support/http';
import type { Reply } from '../support/http';
import { createTestQueue } from '../support/queue';
import type { TestQueue } from '../support/queue';

const A = 'cri-isoa0001';
const B = 'cri-isob0001';
let table: TestTable;
let queue: TestQueue;
let rt: ReturnType<typeof testRuntime>;
let keyA: string;
let keyB: string;
let keyAB: string;

const event = (id: string, instanceId: string, tag = 'v1', extra: Record<string, unknown> = {}) => ({
  specversion: '1.0',
  id,
  source: 's',
  type: 'cr:Artifact:BuildCompleted',
  data: { InstanceId: instanceId, RegionId: 'cn-hangzhou', RepoNamespaceName: 'n', RepoName: 'r', Tag: tag, BuildStatus: 'SUCCESS', ...extra },
});
const post = (key: string, body: string | object, contentType = 'application/json') =>
  call(createIngestHandler(rt), { method: 'POST', path: '/v1/events', headers: { ...bearer(key), 'content-type': contentType }, body });
const get = (key: string, path: string) => call(createEventsHandler(rt), { path, headers: bearer(key) });
const codeOf = (r: Reply) => (r.json as { error?: { code: string } }).error?.code;

beforeAll(async () => {
  table = await createTestTable('isolation');
  queue = await createTestQueue();
  rt = testRuntime(table, { env: queue.env });
  const mint = async (instanceIds: string[]) =>
    (
      (await call(createApiKeysHandler(rt), { method: 'POST', path: '/v1/api-keys', headers: bearer(ADMIN_KEY), body: { name: 'k', scopes: ['events:read', 'events:write'], instanceIds } }))
        .json as { apiKey: string }
    ).apiKey;
  keyA = await mint([A]);
  keyB = await mint([B]);
  keyAB = await mint([A, B]);
  const rules = createRulesHandler(rt);
  for (const instanceId of [A, B]) {
    await call(rules, {
      method: 'POST',
      path: `/v1/instances/${instanceId}/rules`,
      headers: bearer(ADMIN_KEY),
      body: { ruleName: 'all', regionId: 'cn-hangzhou', eventTypes: ['cr:Artifact:BuildCompleted'], scope: { type: 'INSTANCE' }, notify: { method: 'http', url: 'http://127.0.0.1:9/x' } },
    });
  }
});

afterAll(async () => {
  await queue.close();
  await table.drop();
});

describe('per-instance event ids', () => {
  it('an id squatted by another instance first does not refuse, hide or reveal the owner’s event', async () => {
    const id = `shared-${Date.now()}`;
    // B takes the id first, with other content: that is B's own event, nothing more.
    const squat = await post(keyB, event(id, B, 'squat'));
    expect(squat.status, squat.text).toBe(202);
    expect(squat.json).toMatchObject({ eventId: id, status: 'accepted' });
    // A's real event with the same id: accepted (not 409), with its own deliveries.
    const real = await post(keyA, event(id, A, 'real'));
    expect(real.status, real.text).toBe(202);
    expect(real.json).toMatchObject({ eventId: id, status: 'accepted', matchedRuleIds: [expect.stringMatching(/^crecr-/)] });
    // Each instance's de-duplication and conflicts stay its own.
    expect((await post(keyA, event(id, A, 'real'))).json).toMatchObject({ status: 'duplicate' });
    expect(codeOf(await post(keyA, event(id, A, 'changed')))).toBe('EventIdConflict');
    expect((await post(keyB, event(id, B, 'squat'))).json).toMatchObject({ status: 'duplicate' });

    // Each key reads its own instance's event under the id, with its own content and deliveries.
    const asA = await get(keyA, `/v1/events/${id}`);
    expect(asA.status, asA.text).toBe(200);
    expect(asA.json).toMatchObject({ instanceId: A, tag: 'real', event: { data: { Tag: 'real' } } });
    expect(asA.text).not.toContain('squat');
    const asB = await get(keyB, `/v1/events/${id}`);
    expect(asB.json).toMatchObject({ instanceId: B, tag: 'squat' });
    expect(asB.text).not.toContain('"real"');
    expect((asA.json as { deliveries: unknown[] }).deliveries).toHaveLength(1);
    expect((asA.json as { deliveries: { ruleId: string }[] }).deliveries[0]?.ruleId).toBe((real.json as { matchedRuleIds: string[] }).matchedRuleIds[0]);

    // The per-instance route; another instance's path is refused like every instance route.
    expect((await get(keyAB, `/v1/instances/${A}/events/${id}`)).json).toMatchObject({ instanceId: A, tag: 'real' });
    expect((await get(keyAB, `/v1/instances/${B}/events/${id}`)).json).toMatchObject({ instanceId: B, tag: 'squat' });
    expect((await get(keyB, `/v1/instances/${A}/events/${id}`)).status).toBe(403);
    // A key that may read both must say which one it means.
    for (const key of [keyAB, ADMIN_KEY]) {
      const ambiguous = await get(key, `/v1/events/${id}`);
      expect(ambiguous.status).toBe(409);
      expect(ambiguous.json).toMatchObject({ error: { code: 'EventIdAmbiguous', details: [{ message: `held by instance ${A}` }, { message: `held by instance ${B}` }] } });
    }
    // Redelivery answers per instance too (nothing failed yet: nothing to re-queue).
    const redeliver = await call(createEventsHandler(rt), { method: 'POST', path: `/v1/instances/${A}/events/${id}/redeliver`, headers: bearer(keyA), body: {} });
    expect(redeliver.status, redeliver.text).toBe(202);
    expect(codeOf(await call(createEventsHandler(rt), { method: 'POST', path: `/v1/events/${id}/redeliver`, headers: bearer(keyAB), body: {} }))).toBe('EventIdAmbiguous');
  });

  it('no probing: another instance’s ids answer exactly like ids nobody used', async () => {
    const id = `probe-${Date.now()}`;
    expect((await post(keyA, event(id, A))).status).toBe(202);
    const used = await get(keyB, `/v1/events/${id}`);
    const unused = await get(keyB, `/v1/events/never-${Date.now()}`);
    expect(used.status).toBe(404);
    expect(unused.status).toBe(404);
    expect(codeOf(used)).toBe(codeOf(unused));
    // Posting A's id under B is simply B's first event with that id.
    expect((await post(keyB, event(id, B))).json).toMatchObject({ status: 'accepted' });
    expect((await post(keyB, event(id, B, 'other'))).status).toBe(409);
  });

  it('one batch may hold the same id for two instances: two events', async () => {
    const id = `batch-${Date.now()}`;
    const reply = await post(ADMIN_KEY, [event(id, A), event(id, B), event(id, A)], 'application/cloudevents-batch+json');
    expect((reply.json as { results: { status: string }[] }).results.map((r) => r.status)).toEqual(['accepted', 'accepted', 'duplicate']);
    expect((await get(keyA, `/v1/events/${id}`)).json).toMatchObject({ instanceId: A });
    expect((await get(keyB, `/v1/events/${id}`)).json).toMatchObject({ instanceId: B });
  });
});

/** `{"x":{"x":…1…}}` nested `levels` deep, as text (JSON.stringify would recurse). */
const nested = (levels: number) => `${'{"x":'.repeat(levels)}1${'}'.repeat(levels)}`;
/** An event whose data carries a value that makes the whole event `depth` levels deep. */
const eventOfDepth = (id: string, depth: number) => {
  const text = JSON.stringify(event(id, A));
  // event (1) → data (2) → deep: the nested value adds depth - 2 levels.
  return `${text.slice(0, -2)},"deep":${nested(depth - 2)}}}`;
};

describe('bounded input', () => {
  it('an event 64 levels deep is accepted; 65 is 400 ValidationFailed', async () => {
    const ok = await post(keyA, eventOfDepth(`depth64-${Date.now()}`, 64));
    expect(ok.status, ok.text).toBe(202);
    const deep = await post(keyA, eventOfDepth(`depth65-${Date.now()}`, 65));
    expect(deep.status).toBe(400);
    expect(deep.json).toMatchObject({ error: { code: 'ValidationFailed', details: [{ path: '', message: 'nested deeper than 64 levels' }] } });
  });

  it('nesting deep enough to overflow a recursive walk is a 400, not a 500; in a batch only that event is rejected', async () => {
    const hostile = nested(20_000);
    const single = await post(keyA, hostile);
    expect(single.status).toBe(400);
    expect(codeOf(single)).toBe('ValidationFailed');
    const good = JSON.stringify(event(`beside-${Date.now()}`, A));
    const batch = await post(keyA, `[${good},${eventOfDepth(`deep-${Date.now()}`, 20_000)},${good.replace('beside-', 'beside2-')}]`, 'application/cloudevents-batch+json');
    expect(batch.status, batch.text).toBe(202);
    const results = (batch.json as { results: { status: string; error?: { code: string } }[] }).results;
    expect(results.map((r) => r.status)).toEqual(['accepted', 'rejected', 'accepted']);
    expect(results[1]?.error?.code).toBe('ValidationFailed');
    // Every other JSON route has the same bound.
    const rule = await call(createRulesHandler(rt), { method: 'POST', path: `/v1/instances/${A}/rules`, headers: bearer(ADMIN_KEY), body: `{"ruleName":${nested(5_000)}}` });
    expect(rule.status).toBe(400);
    expect(codeOf(rule)).toBe('ValidationFailed');
  });

  it('invalid UTF-8 anywhere in a body, as API Gateway passes it (base64), is 400 MalformedJson', async () => {
    const bytes = Buffer.concat([Buffer.from(JSON.stringify(event(`utf8-${Date.now()}`, A)).slice(0, -3)), Buffer.from([0xc3, 0x28]), Buffer.from('"}}')]);
    const reply = await call(createIngestHandler(rt), {
      method: 'POST',
      path: '/v1/events',
      headers: { ...bearer(keyA), 'content-type': 'application/json' },
      body: bytes.toString('base64'),
      isBase64Encoded: true,
    });
    expect(reply.status).toBe(400);
    expect(codeOf(reply)).toBe('MalformedJson');
  });
});
