/** SPEC §4 "Events (ingest)" and §5 through the HTTP layer, DynamoDB Local and the SQS emulator. */
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKeysHandler } from '../../functions/apiKeys';
import { createIngestHandler } from '../../functions/ingest';
import { createReconcilerHandler } from '../../functions/reconciler';
import { createRulesHandler } from '../../functions/rules';
import { keys } from '../../shared/adapters/dynamo/shape';
import { EVENT_STATUSES, STATUS_FIELDS } from '../../shared/domain/eventTypes';
import type { EventType } from '../../shared/domain/eventTypes';
import { requeueStuckDeliveries } from '../../shared/services/reconcile';
import { listEvents } from '../../shared/services/history';
import { ADMIN_KEY, testRuntime } from '../support/app';
import { createTestTable } from '../support/dynamo';
import type { TestTable } from '../support/dynamo';
import { bearer, call } from '../support/http';
import type { Reply } from '../support/http';
import { createTestQueue } from '../support/queue';
import { captureOutput } from '../support/logs';
import type { TestQueue } from '../support/queue';

let table: TestTable;
let queue: TestQueue;
let rt: ReturnType<typeof testRuntime>;
let ingest: ReturnType<typeof createIngestHandler>;
let rules: ReturnType<typeof createRulesHandler>;
let apiKeys: ReturnType<typeof createApiKeysHandler>;
let seq = 0;

const INSTANCE = 'cri-ingest01';
const errorOf = (r: Reply) => (r.json as { error: { code: string; details?: { path: string }[] } }).error;

function cloudEvent(overrides: Record<string, unknown> = {}, data: Record<string, unknown> = {}) {
  seq += 1;
  return {
    specversion: '1.0',
    id: `evt-${Date.now()}-${seq}`,
    source: 'acs.cr',
    type: 'cr:Artifact:ScanCompleted',
    time: '2026-11-20T08:00:00Z',
    ...overrides,
    data: { InstanceId: INSTANCE, RegionId: 'cn-hangzhou', RepoNamespaceName: 'team-a', RepoName: 'api', Tag: 'v1.2.0', ScanStatus: 'FAILED', ...data },
  };
}

const send = (body: unknown, contentType = 'application/cloudevents+json', key = ADMIN_KEY, headers: Record<string, string> = {}) =>
  call(ingest, { method: 'POST', path: '/v1/events', headers: { ...bearer(key), 'content-type': contentType, ...headers }, body: body as object });

async function createRule(body: Record<string, unknown>, instanceId = INSTANCE): Promise<string> {
  const reply = await call(rules, {
    method: 'POST',
    path: `/v1/instances/${instanceId}/rules`,
    headers: bearer(ADMIN_KEY),
    body: {
      regionId: 'cn-hangzhou',
      eventTypes: ['cr:Artifact:ScanCompleted'],
      scope: { type: 'INSTANCE' },
      notify: { method: 'https', url: 'https://127.0.0.1:9/hook' },
      ...body,
    },
  });
  expect(reply.status, reply.text).toBe(201);
  return (reply.json as { ruleId: string }).ruleId;
}

let ruleAll: string;
let ruleFailedApi: string;

beforeAll(async () => {
  table = await createTestTable('ingest');
  queue = await createTestQueue();
  rt = testRuntime(table, { env: queue.env });
  ingest = createIngestHandler(rt);
  rules = createRulesHandler(rt);
  apiKeys = createApiKeysHandler(rt);
  ruleAll = await createRule({ ruleName: 'all-scans' });
  ruleFailedApi = await createRule({
    ruleName: 'failed-api-releases',
    eventStatuses: ['FAILED'],
    scope: { type: 'REPO', namespace: 'team-a', repoNames: ['api'] },
    tagPattern: 'v[0-9]+\\.[0-9]+\\.[0-9]+',
  });
  await createRule({ ruleName: 'other-region', regionId: 'cn-beijing' });
  await createRule({ ruleName: 'disabled', enabled: false });
  await createRule({ ruleName: 'builds', eventTypes: ['cr:Artifact:BuildCompleted'] });
  await queue.drain();
});
afterAll(async () => {
  await queue.close();
  await table.drop();
});

describe('content modes', () => {
  it('structured (application/cloudevents+json): 202 accepted, recorded, one message per delivery', async () => {
    const event = cloudEvent({ extension1: 'kept' });
    const reply = await send(event);
    expect(reply.status).toBe(202);
    const body = reply.json as { eventId: string; status: string; matchedRuleIds: string[]; expiresAt: string };
    expect(body).toEqual({ eventId: event.id, status: 'accepted', matchedRuleIds: expect.any(Array), expiresAt: expect.any(String) });
    expect(body.matchedRuleIds.sort()).toEqual([ruleAll, ruleFailedApi].sort());
    expect(Date.parse(body.expiresAt) - Date.now()).toBeGreaterThan(259_200_000 - 60_000);

    const messages = await queue.drain(1);
    expect(messages.map((m) => m.ruleId).sort()).toEqual([ruleAll, ruleFailedApi].sort());
    expect(messages.every((m) => m.eventId === event.id && /^msg_/.test(m.deliveryId))).toBe(true);

    const stored = await table.db.send(new GetCommand({ TableName: table.tableName, Key: keys.event(event.id, event.data.InstanceId) }));
    expect(JSON.parse(String(stored.Item?.rawJson))).toEqual(event);
    expect(stored.Item).toMatchObject({ instanceId: INSTANCE, status: 'FAILED', tag: 'v1.2.0', gsi1pk: `INST#${INSTANCE}#EVENTS` });
    expect(stored.Item?.ttl).toBe(Math.floor(Date.parse(body.expiresAt) / 1000));
    // One item: the event carries its planned deliveries; state items come with the first attempt.
    const partition = await table.db.send(
      new QueryCommand({ TableName: table.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `EVENT#${event.id}` } }),
    );
    expect(partition.Items?.map((i) => i.sk)).toEqual([`EVENT#${INSTANCE}`]);
    expect((stored.Item?.plan as { ruleId: string }[]).map((p) => p.ruleId).sort()).toEqual([ruleAll, ruleFailedApi].sort());
    expect(stored.Item?.gsi2pk).toMatch(/^PENDING#/);
    const records = await Promise.all([ruleAll, ruleFailedApi].map((r) => rt.deliver.deliveries.get(event.id, r)));
    expect(records.map((d) => d?.state)).toEqual(['pending', 'pending']);
  });

  it('application/json without ce-* headers is structured mode too', async () => {
    const reply = await send(cloudEvent(), 'application/json');
    expect(reply.status).toBe(202);
    expect((reply.json as { status: string }).status).toBe('accepted');
    await queue.drain();
  });

  it('binary mode: attributes in ce-* headers, body = data', async () => {
    const { data, id } = cloudEvent();
    const reply = await send(data, 'application/json', ADMIN_KEY, {
      'ce-specversion': '1.0',
      'ce-id': id,
      'ce-source': 'acs.cr',
      'ce-type': 'cr:Artifact:ScanCompleted',
      'ce-time': '2026-11-20T08:00:00Z',
      'ce-traceparent': '00-abc-def-01',
    });
    expect(reply.status, reply.text).toBe(202);
    expect((reply.json as { matchedRuleIds: string[] }).matchedRuleIds).toHaveLength(2);
    const stored = await table.db.send(new GetCommand({ TableName: table.tableName, Key: keys.event(id, data.InstanceId) }));
    expect(JSON.parse(String(stored.Item?.rawJson))).toMatchObject({ specversion: '1.0', id, traceparent: '00-abc-def-01', datacontenttype: 'application/json', data });
    await queue.drain();
  });

  it('batch: per-item results; one bad event does not reject the others', async () => {
    const good = cloudEvent();
    const dupInBatch = good;
    const reply = await send(
      [good, cloudEvent({ type: 'cr:Artifact:Pushed' }), cloudEvent({}, { Tag: '' }), dupInBatch, { nope: true }, cloudEvent({}, { ScanStatus: 'success' })],
      'application/cloudevents-batch+json',
    );
    expect(reply.status).toBe(202);
    const results = (reply.json as { results: { index: number; status: string; error?: { code: string; details?: { path: string }[] } }[] }).results;
    expect(results.map((r) => [r.index, r.status, r.error?.code])).toEqual([
      [0, 'accepted', undefined],
      [1, 'rejected', 'UnsupportedEventType'],
      [2, 'rejected', 'ValidationFailed'],
      [3, 'duplicate', undefined],
      [4, 'rejected', 'ValidationFailed'],
      [5, 'accepted', undefined],
    ]);
    expect(results[2]?.error?.details?.[0]?.path).toBe('data.Tag');
    expect(results.some((r) => 'httpStatus' in r)).toBe(false);
    await queue.drain();
  });

  it('batch bounds: empty, over 100, or not an array → 400', async () => {
    expect((await send([], 'application/cloudevents-batch+json')).status).toBe(400);
    expect((await send(Array.from({ length: 101 }, () => cloudEvent()), 'application/cloudevents-batch+json')).status).toBe(400);
    expect((await send(cloudEvent(), 'application/cloudevents-batch+json')).status).toBe(400);
    expect((await send('x', 'text/plain')).status).toBe(415);
  });
});

describe('validation and statuses', () => {
  it.each(Object.entries(EVENT_STATUSES).flatMap(([type, statuses]) => statuses.map((s) => [type, s] as const)))(
    '%s accepts %s from its own field and from Status, case-insensitively',
    async (type, status) => {
      const field = STATUS_FIELDS[type as EventType];
      for (const data of [{ ScanStatus: undefined, [field]: status.toLowerCase() }, { ScanStatus: undefined, Status: ` ${status} ` }]) {
        const reply = await send(cloudEvent({ type }, data));
        expect(reply.status, reply.text).toBe(202);
      }
    },
  );

  it('refuses statuses not valid for the type, and missing ones, with the field path', async () => {
    const wrong = await send(cloudEvent({}, { ScanStatus: 'CANCELED' }));
    expect(errorOf(wrong)).toMatchObject({ code: 'ValidationFailed', details: [{ path: 'data.ScanStatus' }] });
    const missing = await send(cloudEvent({}, { ScanStatus: undefined }));
    expect(errorOf(missing).details?.[0]?.path).toBe('data.ScanStatus');
  });

  it.each([
    [{ specversion: '0.3' }, {}, 'specversion'],
    [{ id: '' }, {}, 'id'],
    [{ id: 'x'.repeat(129) }, {}, 'id'],
    [{ source: undefined }, {}, 'source'],
    [{ time: 'yesterday' }, {}, 'time'],
    [{}, { InstanceId: 'abc' }, 'data.InstanceId'],
    [{}, { RegionId: undefined }, 'data.RegionId'],
    [{}, { RepoNamespaceName: 'Team A' }, 'data.RepoNamespaceName'],
    [{}, { RepoName: undefined }, 'data.RepoName'],
    [{}, { Tag: 'v1/2' }, 'data.Tag'],
  ])('%j %j → ValidationFailed at %s', async (attrs, data, path) => {
    const reply = await send(cloudEvent(attrs, data));
    expect(reply.status).toBe(400);
    expect(errorOf(reply).details?.map((d) => d.path)).toContain(path);
  });

  it('unsupported type → 400 UnsupportedEventType; time defaults to receipt', async () => {
    expect(errorOf(await send(cloudEvent({ type: 'cr:Artifact:Deleted' }))).code).toBe('UnsupportedEventType');
    const { time: _t, ...noTime } = cloudEvent();
    const before = Date.now();
    expect((await send(noTime)).status).toBe(202);
    const stored = await table.db.send(new GetCommand({ TableName: table.tableName, Key: keys.event(noTime.id, noTime.data.InstanceId) }));
    expect(Date.parse(String(stored.Item?.time))).toBeGreaterThanOrEqual(before - 1000);
    await queue.drain();
  });
});

describe('abuse limits', () => {
  it('caps each API key with a token bucket: 429 RateLimited with Retry-After', async () => {
    const limited = createIngestHandler(testRuntime(table, { env: { ...queue.env, INGEST_RATE_PER_SECOND: '1', INGEST_BURST: '100' } }));
    const post = (body: unknown, type: string) =>
      call(limited, { method: 'POST', path: '/v1/events', headers: { ...bearer(ADMIN_KEY), 'content-type': type }, body: body as object });
    expect((await post(Array.from({ length: 100 }, () => cloudEvent()), 'application/cloudevents-batch+json')).status).toBe(202);
    const refused = await post(Array.from({ length: 10 }, () => cloudEvent()), 'application/cloudevents-batch+json');
    expect(refused.status).toBe(429);
    expect(errorOf(refused).code).toBe('RateLimited');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    await queue.drain();
  });
});

describe('metrics', () => {
  it('emits EMF counters for ingested, matched and duplicate events', async () => {
    const event = cloudEvent();
    const output = captureOutput();
    try {
      await send(event);
      await send(event);
    } finally {
      output.restore();
    }
    const lines = output.lines().split('\n').filter((l) => l.includes('"_aws"')).map((l) => JSON.parse(l) as Record<string, number>);
    expect(lines.find((l) => l.EventsIngested === 1)?.EventsMatched).toBe(1);
    expect(lines.some((l) => l.EventsDuplicate === 1)).toBe(true);
    await queue.drain();
  });
});

describe('de-duplication', () => {
  it('same id + same content → duplicate with no new deliveries; different content → 409', async () => {
    const event = cloudEvent();
    const first = await send(event);
    expect((await queue.drain(1)).length).toBe(2);
    const again = await send({ ...event, data: { ...event.data } });
    expect(again.status).toBe(202);
    expect(again.json).toEqual({ ...(first.json as object), status: 'duplicate' });
    expect(await queue.drain()).toEqual([]);
    const changed = await send({ ...event, data: { ...event.data, Tag: 'v9.9.9' } });
    expect(changed.status).toBe(409);
    expect(errorOf(changed).code).toBe('EventIdConflict');
  });

  it('10 concurrent posts of one id: exactly one accepted', async () => {
    const event = cloudEvent();
    const replies = await Promise.all(Array.from({ length: 10 }, () => send(event)));
    const statuses = replies.map((r) => (r.json as { status: string }).status);
    expect(statuses.filter((s) => s === 'accepted')).toHaveLength(1);
    expect(statuses.filter((s) => s === 'duplicate')).toHaveLength(9);
    expect((await queue.drain(1)).length).toBe(2);
  });
});

describe('authorisation', () => {
  it('events:write for the event instance: single → 403, batch → per-item Forbidden', async () => {
    const created = await call(apiKeys, {
      method: 'POST',
      path: '/v1/api-keys',
      headers: bearer(ADMIN_KEY),
      body: { name: 'publisher', scopes: ['events:write'], instanceIds: ['cri-other01'] },
    });
    const key = (created.json as { apiKey: string }).apiKey;
    const single = await send(cloudEvent(), 'application/cloudevents+json', key);
    expect(single.status).toBe(403);
    const mine = cloudEvent({}, { InstanceId: 'cri-other01' });
    const batch = await send([cloudEvent(), mine], 'application/cloudevents-batch+json', key);
    const results = (batch.json as { results: { status: string; error?: { code: string } }[] }).results;
    expect(results.map((r) => r.status)).toEqual(['rejected', 'accepted']);
    expect(results[0]?.error?.code).toBe('Forbidden');
  });
});

describe('matching against live rules', () => {
  it('a rule change applies to events ingested within 5 s', async () => {
    const instanceId = 'cri-live0001';
    const ruleId = await createRule({ ruleName: 'live' }, instanceId);
    const ev = () => cloudEvent({}, { InstanceId: instanceId });
    expect((await send(ev())).json).toMatchObject({ matchedRuleIds: [ruleId] });
    await call(rules, { method: 'PATCH', path: `/v1/instances/${instanceId}/rules/${ruleId}`, headers: bearer(ADMIN_KEY), body: { enabled: false } });
    const changedAt = Date.now();
    let matched = [ruleId];
    while (matched.length > 0 && Date.now() - changedAt < 5_000) {
      matched = ((await send(ev())).json as { matchedRuleIds: string[] }).matchedRuleIds;
      if (matched.length > 0) await new Promise((r) => setTimeout(r, 250));
    }
    expect(matched).toEqual([]);
    await queue.drain();
  }, 15_000);

  it('scope, status, whole-tag and region decide; disabled rules and other types never match', async () => {
    const cases: [Record<string, unknown>, string[]][] = [
      [{}, [ruleAll, ruleFailedApi]],
      [{ ScanStatus: 'SUCCESS' }, [ruleAll]],
      [{ RepoName: 'web' }, [ruleAll]],
      [{ Tag: 'v1.2.0-rc1' }, [ruleAll]],
      [{ Tag: 'xv1.2.0' }, [ruleAll]],
      [{ RegionId: 'cn-shanghai' }, []],
    ];
    for (const [data, expected] of cases) {
      const reply = await send(cloudEvent({}, data));
      expect(((reply.json as { matchedRuleIds: string[] }).matchedRuleIds).sort(), JSON.stringify(data)).toEqual([...expected].sort());
    }
    await queue.drain();
  });
});

describe('outbox reconciler', () => {
  it('re-queues deliveries whose send failed after the write, once', async () => {
    let failing = true;
    const flaky = testRuntime(table, { env: queue.env });
    const realQueue = flaky.ingest.queue;
    flaky.ingest.queue = { send: async (messages) => (failing ? messages : realQueue.send(messages)) };
    const event = cloudEvent();
    const reply = await send(event, 'application/cloudevents+json');
    expect(reply.status).toBe(202);
    await queue.drain();
    const flakyIngest = createIngestHandler(flaky);
    const lost = cloudEvent();
    const accepted = await call(flakyIngest, { method: 'POST', path: '/v1/events', headers: { ...bearer(ADMIN_KEY), 'content-type': 'application/cloudevents+json' }, body: lost });
    expect(accepted.status).toBe(202);
    expect(await queue.drain()).toEqual([]);
    failing = false;

    // Not yet past the threshold: nothing happens.
    const early = await requeueStuckDeliveries({ ...rt.reconcile, now: () => new Date() });
    expect(early.requeued).toBe(0);
    const later = () => new Date(Date.now() + (rt.config.reconcileAfterSeconds + 1) * 1000);
    const run = await requeueStuckDeliveries({ ...rt.reconcile, now: later });
    expect(run.requeued).toBeGreaterThanOrEqual(2);
    const requeued = await queue.drain(1);
    expect(requeued.filter((m) => m.eventId === lost.id).map((m) => m.ruleId).sort()).toEqual([ruleAll, ruleFailedApi].sort());
    // Idempotent: a second run right after re-queues nothing for this event.
    await requeueStuckDeliveries({ ...rt.reconcile, now: later });
    expect((await queue.drain()).filter((m) => m.eventId === lost.id)).toEqual([]);
  });

  it('works through a backlog larger than one round in a single run, every shard included', async () => {
    const flaky = testRuntime(table, { env: queue.env });
    flaky.ingest.queue = { send: async (messages) => messages };
    const lost = Array.from({ length: 12 }, () => cloudEvent());
    const reply = await call(createIngestHandler(flaky), {
      method: 'POST',
      path: '/v1/events',
      headers: { ...bearer(ADMIN_KEY), 'content-type': 'application/cloudevents-batch+json' },
      body: lost,
    });
    expect(reply.status).toBe(202);
    const later = () => new Date(Date.now() + (rt.config.reconcileAfterSeconds + 1) * 1000);
    await requeueStuckDeliveries({ ...rt.reconcile, now: later, batchLimit: 4 });
    const requeued = new Set((await queue.drain()).map((m) => m.eventId));
    expect(lost.filter((e) => !requeued.has(e.id))).toEqual([]);
  });

  it('an event whose deliveries were all picked up leaves the pending index without a re-queue', async () => {
    const event = cloudEvent();
    expect((await send(event, 'application/cloudevents+json')).status).toBe(202);
    const messages = (await queue.drain(1)).filter((m) => m.eventId === event.id);
    expect(messages).toHaveLength(2);
    for (const m of messages) {
      const delivery = await rt.deliver.deliveries.get(m.eventId, m.ruleId);
      if (!delivery) throw new Error('no delivery');
      expect(await rt.deliver.deliveries.transition(delivery, { state: 'failed', attempt: { n: 1, at: new Date().toISOString(), durationMs: 1, outcome: 'failed', httpStatus: 404 } })).toBe(true);
    }
    const later = () => new Date(Date.now() + (rt.config.reconcileAfterSeconds + 1) * 1000);
    await requeueStuckDeliveries({ ...rt.reconcile, now: later });
    expect((await queue.drain()).filter((m) => m.eventId === event.id)).toEqual([]);
    const stored = await table.db.send(new GetCommand({ TableName: table.tableName, Key: keys.event(event.id, event.data.InstanceId), ConsistentRead: true }));
    expect(stored.Item).not.toHaveProperty('gsi2pk');
    expect(stored.Item).not.toHaveProperty('gsi2sk');
  });

  it('a delivery never picked up before retention ends is dead with the reason in its trace', async () => {
    const flaky = testRuntime(table, { env: queue.env });
    flaky.ingest.queue = { send: async (messages) => messages };
    const lost = cloudEvent();
    const accepted = await call(createIngestHandler(flaky), { method: 'POST', path: '/v1/events', headers: { ...bearer(ADMIN_KEY), 'content-type': 'application/cloudevents+json' }, body: lost });
    expect(accepted.status).toBe(202);
    const afterRetention = () => new Date(Date.now() + (rt.config.eventRetentionSeconds + 1) * 1000);
    await requeueStuckDeliveries({ ...rt.reconcile, now: afterRetention });
    expect((await queue.drain()).filter((m) => m.eventId === lost.id)).toEqual([]);
    const records = await Promise.all([ruleAll, ruleFailedApi].map((r) => rt.deliver.deliveries.get(lost.id, r)));
    expect(records.map((d) => [d?.state, d?.deadReason])).toEqual([
      ['dead', expect.stringContaining('never picked up')],
      ['dead', expect.stringContaining('never picked up')],
    ]);
  });

  it('an id reused after its event expired starts fresh: the earlier event\'s delivery state does not carry over', async () => {
    const shortLived = testRuntime(table, { env: { ...queue.env, EVENT_RETENTION_SECONDS: '1' } });
    const ingestShort = createIngestHandler(shortLived);
    const event = cloudEvent();
    const post = () => call(ingestShort, { method: 'POST', path: '/v1/events', headers: { ...bearer(ADMIN_KEY), 'content-type': 'application/cloudevents+json' }, body: event });
    expect(((await post()).json as { status: string }).status).toBe('accepted');
    await queue.drain();
    const first = await rt.deliver.deliveries.get(event.id, ruleAll);
    if (!first) throw new Error('no delivery');
    const attempt = { n: 1, at: new Date().toISOString(), durationMs: 1, outcome: 'delivered' as const, httpStatus: 200 };
    expect(await rt.deliver.deliveries.transition(first, { state: 'delivered', attempt, deliveredAt: attempt.at })).toBe(true);
    await new Promise((r) => setTimeout(r, 1_500)); // past retention; the items are still there (TTL sweeps later)
    expect(((await post()).json as { status: string }).status).toBe('accepted');
    // Within its (1 s) retention, the reconciler does not take the earlier state for a pick-up: it re-queues.
    await new Promise((r) => setTimeout(r, 5));
    await requeueStuckDeliveries({ ...rt.reconcile, afterSeconds: 0 });
    expect((await queue.drain()).filter((m) => m.eventId === event.id && m.ruleId === ruleAll)).toHaveLength(2);
    const again = await rt.deliver.deliveries.get(event.id, ruleAll);
    expect(again).toMatchObject({ state: 'pending', attempts: [], attemptCount: 0 });
    if (!again) throw new Error('no delivery');
    expect(again.expiresAt).not.toBe(first.expiresAt);
    // The history listing counts it pending.
    const page = await listEvents(rt.history, INSTANCE, {}, 100);
    expect(page.events.find((e) => e.eventId === event.id)?.deliveries).toMatchObject({ delivered: 0, pending: 2 });
    // The new delivery is picked up like any other, on a fresh state item.
    expect(await rt.deliver.deliveries.transition(again, { state: 'failed', attempt: { ...attempt, outcome: 'failed', httpStatus: 404 } })).toBe(true);
    expect(await rt.deliver.deliveries.get(event.id, ruleAll)).toMatchObject({ state: 'failed', attemptCount: 1, expiresAt: again.expiresAt });
  });

  it('the scheduled handler runs the same reconciliation', async () => {
    const result = await createReconcilerHandler(rt)();
    expect(result).toEqual({ found: expect.any(Number), requeued: expect.any(Number), unsent: 0, buried: 0 });
  });
});
