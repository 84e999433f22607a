/** SPEC §4 "History and trace" and §7 retention, through the HTTP layer on DynamoDB Local. */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKeysHandler } from '../../functions/apiKeys';
import { createEventsHandler } from '../../functions/events';
import { createIngestHandler } from '../../functions/ingest';
import { createRulesHandler } from '../../functions/rules';
import { keys } from '../../shared/adapters/dynamo/shape';
import { ADMIN_KEY, testRuntime } from '../support/app';
import { createTestTable } from '../support/dynamo';
import type { TestTable } from '../support/dynamo';
import { bearer, call } from '../support/http';
import type { Reply } from '../support/http';
import { createTestQueue } from '../support/queue';
import type { TestQueue } from '../support/queue';
import { startReceiver } from '../support/receiver';
import type { Receiver } from '../support/receiver';
import { startWorker, until } from '../support/worker';

const INSTANCE = 'cri-hist0001';
let table: TestTable;
let queue: TestQueue;
let receiver: Receiver;
let rt: ReturnType<typeof testRuntime>;
let events: ReturnType<typeof createEventsHandler>;
let ruleA: string;
let ruleB: string;
const sent: { id: string; type: string; status: string; namespace: string; repo: string }[] = [];

type Summary = { eventId: string; eventType: string; status: string; namespace: string; repoName: string; matchedRuleIds: string[]; deliveries: Record<string, number> };
const list = (query: Record<string, string> = {}, instance = INSTANCE, key = ADMIN_KEY) => call(events, { path: `/v1/instances/${instance}/events`, headers: bearer(key), query });
const page = (r: Reply) => r.json as { events: Summary[]; nextToken: string | null };

async function collect(query: Record<string, string>): Promise<Summary[]> {
  const all: Summary[] = [];
  let token: string | null = null;
  do {
    const reply = await list({ ...query, ...(token ? { nextToken: token } : {}) });
    expect(reply.status, reply.text).toBe(200);
    const p = page(reply);
    all.push(...p.events);
    token = p.nextToken;
  } while (token);
  return all;
}

beforeAll(async () => {
  table = await createTestTable('history');
  queue = await createTestQueue();
  receiver = await startReceiver();
  rt = testRuntime(table, { env: { ...queue.env, RETRY_BASE_SECONDS: '1', RETRY_MAX_DELAY_SECONDS: '1', RETRY_MAX_ATTEMPTS: '2', DELIVERY_TIMEOUT_MS: '500' } });
  events = createEventsHandler(rt);
  const rules = createRulesHandler(rt);
  const mk = async (name: string, body: Record<string, unknown>) => {
    const reply = await call(rules, {
      method: 'POST',
      path: `/v1/instances/${INSTANCE}/rules`,
      headers: bearer(ADMIN_KEY),
      body: { ruleName: name, regionId: 'cn-hangzhou', scope: { type: 'INSTANCE' }, notify: { method: 'http', url: receiver.url }, ...body },
    });
    return (reply.json as { ruleId: string }).ruleId;
  };
  ruleA = await mk('scans', { eventTypes: ['cr:Artifact:ScanCompleted'] });
  ruleB = await mk('failed-builds', { eventTypes: ['cr:Artifact:BuildCompleted'], eventStatuses: ['FAILED'] });
  const ingest = createIngestHandler(rt);
  const types = ['cr:Artifact:ScanCompleted', 'cr:Artifact:BuildCompleted', 'cr:Artifact:SigningCompleted'];
  for (let i = 0; i < 45; i += 1) {
    const type = types[i % 3] ?? '';
    const status = i % 2 === 0 ? 'SUCCESS' : 'FAILED';
    const e = { id: `hist-${String(i).padStart(3, '0')}`, type, status, namespace: i % 4 === 0 ? 'team-b' : 'team-a', repo: i % 5 === 0 ? 'web' : 'api' };
    sent.push(e);
    await call(ingest, {
      method: 'POST',
      path: '/v1/events',
      headers: { ...bearer(ADMIN_KEY), 'content-type': 'application/json' },
      body: { specversion: '1.0', id: e.id, source: 'acs.cr', type, data: { InstanceId: INSTANCE, RegionId: 'cn-hangzhou', RepoNamespaceName: e.namespace, RepoName: e.repo, Tag: 'v1', Status: status } },
    });
    await new Promise((r) => setTimeout(r, 2)); // distinct receipt times
  }
});
afterAll(async () => {
  await receiver.close();
  await queue.close();
  await table.drop();
});

describe('history', () => {
  it('pages visit every event exactly once, newest first, default limit 30', async () => {
    const first = page(await list());
    expect(first.events).toHaveLength(30);
    expect(first.nextToken).toEqual(expect.any(String));
    const all = await collect({ limit: '7' });
    expect(all.map((e) => e.eventId)).toEqual([...sent].reverse().map((e) => e.id));
  });

  it('summaries carry the SPEC fields and delivery counts', async () => {
    const [newest] = page(await list({ limit: '1' })).events;
    const last = sent.at(-1);
    expect(newest).toMatchObject({ eventId: last?.id, eventType: last?.type, status: last?.status, instanceId: INSTANCE, regionId: 'cn-hangzhou', tag: 'v1' });
    expect(Object.keys(newest ?? {}).sort()).toEqual(
      ['deliveries', 'eventId', 'eventType', 'expiresAt', 'instanceId', 'matchedRuleIds', 'namespace', 'receivedAt', 'regionId', 'repoName', 'status', 'tag', 'time'].sort(),
    );
    expect(newest?.deliveries).toEqual({ total: newest?.matchedRuleIds.length, delivered: 0, pending: newest?.matchedRuleIds.length, failed: 0, dead: 0 });
  });

  it.each([
    ['eventType', { eventType: 'cr:Artifact:BuildCompleted' }, (e: (typeof sent)[number]) => e.type === 'cr:Artifact:BuildCompleted'],
    ['status', { status: 'FAILED' }, (e: (typeof sent)[number]) => e.status === 'FAILED'],
    ['namespace', { namespace: 'team-b' }, (e: (typeof sent)[number]) => e.namespace === 'team-b'],
    ['repoName', { repoName: 'web' }, (e: (typeof sent)[number]) => e.repo === 'web'],
    ['ruleId', {}, (e: (typeof sent)[number]) => e.type === 'cr:Artifact:BuildCompleted' && e.status === 'FAILED'],
    ['combined', { status: 'SUCCESS', namespace: 'team-a', repoName: 'api' }, (e: (typeof sent)[number]) => e.status === 'SUCCESS' && e.namespace === 'team-a' && e.repo === 'api'],
  ] as const)('filter by %s: full pages while more exists, exactly the matches', async (name, query, predicate) => {
    const q: Record<string, string> = name === 'ruleId' ? { ruleId: ruleB } : { ...query };
    const expected = [...sent].reverse().filter(predicate).map((e) => e.id);
    const firstPage = page(await list({ ...q, limit: '3' }));
    expect(firstPage.events).toHaveLength(Math.min(3, expected.length));
    const all = await collect({ ...q, limit: '3' });
    expect(all.map((e) => e.eventId)).toEqual(expected);
  });

  it('tampered, foreign and filter-swapped nextTokens → 400, never other data', async () => {
    const token = page(await list({ limit: '5' })).nextToken ?? '';
    const [body = '', mac = ''] = token.split('.');
    const flipped = body.slice(0, -2) + (body.at(-2) === 'A' ? 'B' : 'A') + body.slice(-1);
    for (const bad of [`${flipped}.${mac}`, `${body}.${mac.slice(0, -1)}x`, 'garbage', `${body}`, `${body}.${mac}.x`]) {
      const reply = await list({ nextToken: bad });
      expect(reply.status, bad).toBe(400);
      expect((reply.json as { error: { details: { path: string }[] } }).error.details[0]?.path).toBe('query.nextToken');
    }
    expect((await list({ nextToken: token }, 'cri-other001')).status).toBe(400);
    expect((await list({ nextToken: token, status: 'FAILED' })).status).toBe(400);
  });

  it('limit bounds and unknown filters → 400', async () => {
    for (const limit of ['0', '101', 'x', '-1']) expect((await list({ limit })).status, limit).toBe(400);
    expect((await list({ colour: 'red' })).status).toBe(400);
    expect((await list({ eventType: 'cr:Artifact:Nope' })).status).toBe(400);
  });
});

async function ingestOne(id: string, type: string, status: string) {
  const reply = await call(createIngestHandler(rt), {
    method: 'POST',
    path: '/v1/events',
    headers: { ...bearer(ADMIN_KEY), 'content-type': 'application/json' },
    body: { specversion: '1.0', id, source: 'acs.cr', type, data: { InstanceId: INSTANCE, RegionId: 'cn-hangzhou', RepoNamespaceName: 'team-a', RepoName: 'api', Tag: 'v2', Status: status } },
  });
  expect(reply.status).toBe(202);
  return { id };
}

describe('trace, access and redelivery', () => {
  beforeAll(async () => {
    await queue.drain(); // the 45 listing events' deliveries are not part of these scenarios
  });

  it('shows the event as received and each delivery with its attempts (retried, then delivered)', async () => {
    const target = await ingestOne('trace-1', 'cr:Artifact:ScanCompleted', 'FAILED');
    receiver.script({ status: 503 }, { status: 200 });
    const worker = startWorker(rt, queue);
    try {
      await until('deliveries to settle', async () => {
        const trace = (await call(events, { path: `/v1/events/${target?.id}`, headers: bearer(ADMIN_KEY) })).json as { deliveries: { state: string }[] };
        return trace.deliveries.every((d) => d.state === 'delivered') || undefined;
      }, 15_000);
    } finally {
      await worker.stop();
    }
    const reply = await call(events, { path: `/v1/events/${target?.id}`, headers: bearer(ADMIN_KEY) });
    expect(reply.status).toBe(200);
    const trace = reply.json as { event: { id: string; data: Record<string, unknown> }; deliveries: { ruleId: string; ruleName: string; method: string; target: string; state: string; attempts: { n: number; outcome: string }[]; deliveredAt?: string }[] };
    expect(trace.event).toMatchObject({ id: target?.id, specversion: '1.0', data: { Status: 'FAILED' } });
    const delivery = trace.deliveries.find((d) => d.ruleId === ruleA);
    expect(delivery).toMatchObject({ ruleName: 'scans', method: 'http', target: receiver.url, state: 'delivered', deliveredAt: expect.any(String) });
    expect(delivery?.attempts.map((a) => [a.n, a.outcome])).toEqual([
      [1, 'retry'],
      [2, 'delivered'],
    ]);
  }, 30_000);

  it('failed deliveries are redelivered as new attempts and reach the endpoint again', async () => {
    const target = await ingestOne('trace-2', 'cr:Artifact:BuildCompleted', 'FAILED');
    const deliveryKey = { eventId: target.id, ruleId: ruleB };
    receiver.script({ status: 400 });
    const worker = startWorker(rt, queue);
    try {
      await until('failed', async () => (await rt.deliver.deliveries.get(deliveryKey.eventId, deliveryKey.ruleId))?.state === 'failed' || undefined, 15_000);
      const before = receiver.received.filter((r) => r.body.includes(deliveryKey.eventId)).length;
      const reply = await call(events, { method: 'POST', path: `/v1/events/${deliveryKey.eventId}/redeliver`, headers: bearer(ADMIN_KEY), body: { ruleId: ruleB } });
      expect(reply.status).toBe(202);
      expect(reply.json).toEqual({ requeued: [ruleB] });
      const done = await until('redelivered', async () => {
        const d = await rt.deliver.deliveries.get(deliveryKey.eventId, deliveryKey.ruleId);
        return d?.state === 'delivered' ? d : undefined;
      }, 15_000);
      expect((done.attempts as { n: number; outcome: string }[]).map((a) => [a.n, a.outcome])).toEqual([
        [1, 'failed'],
        [2, 'delivered'],
      ]);
      expect(receiver.received.filter((r) => r.body.includes(deliveryKey.eventId)).length).toBe(before + 1);
      const again = await call(events, { method: 'POST', path: `/v1/events/${deliveryKey.eventId}/redeliver`, headers: bearer(ADMIN_KEY) });
      expect(again.json).toEqual({ requeued: [] });
    } finally {
      await worker.stop();
    }
  }, 40_000);

  it('a dead delivery shows its state, last attempt and reason in the trace', async () => {
    const target = await ingestOne('trace-3', 'cr:Artifact:ScanCompleted', 'SUCCESS');
    const attempt = { n: 1, at: new Date().toISOString(), durationMs: 5, outcome: 'retry' as const, error: 'timed out after 500 ms' };
    const delivery = await rt.deliver.deliveries.get(target.id, ruleA);
    if (!delivery) throw new Error('no delivery');
    expect(await rt.deliver.deliveries.transition(delivery, { state: 'dead', attempt, deadReason: 'gave up after 1 attempts' })).toBe(true);
    const trace = (await call(events, { path: `/v1/events/${target.id}`, headers: bearer(ADMIN_KEY) })).json as { deliveries: Record<string, unknown>[] };
    expect(trace.deliveries[0]).toMatchObject({ state: 'dead', deadReason: 'gave up after 1 attempts', attempts: [attempt] });
    expect(trace.deliveries[0]).not.toHaveProperty('nextAttemptAt');
    const [summary] = page(await list({ limit: '1' })).events;
    expect(summary?.deliveries).toMatchObject({ total: 1, dead: 1 });
  });

  it('404 (not 403) for events of other instances; 404 for unknown ids', async () => {
    const key = ((await call(createApiKeysHandler(rt), { method: 'POST', path: '/v1/api-keys', headers: bearer(ADMIN_KEY), body: { name: 'reader', scopes: ['events:read', 'events:write'], instanceIds: ['cri-other001'] } })).json as { apiKey: string }).apiKey;
    for (const init of [
      { path: `/v1/events/${sent[0]?.id}` },
      { path: '/v1/events/no-such-event' },
      { method: 'POST', path: `/v1/events/${sent[0]?.id}/redeliver`, body: {} },
    ]) {
      const reply = await call(events, { ...init, headers: bearer(key) });
      expect(reply.status).toBe(404);
      expect((reply.json as { error: { code: string } }).error.code).toBe('EventNotFound');
    }
    expect((await list({}, INSTANCE, key)).status).toBe(403);
  });
});

describe('retention', () => {
  it('expired events are 404 and gone from history while their items still exist in DynamoDB', async () => {
    const short = testRuntime(table, { env: { ...queue.env, EVENT_RETENTION_SECONDS: '1' } });
    const instance = 'cri-short001';
    const ingest = createIngestHandler(short);
    const ids = ['short-1', 'short-2'];
    for (const id of ids) {
      await call(ingest, {
        method: 'POST',
        path: '/v1/events',
        headers: { ...bearer(ADMIN_KEY), 'content-type': 'application/json' },
        body: { specversion: '1.0', id, source: 's', type: 'cr:Artifact:ScanCompleted', data: { InstanceId: instance, RegionId: 'cn-hangzhou', RepoNamespaceName: 'a', RepoName: 'b', Tag: 't', ScanStatus: 'SUCCESS' } },
      });
    }
    const h = createEventsHandler(short);
    expect(page(await call(h, { path: `/v1/instances/${instance}/events`, headers: bearer(ADMIN_KEY) })).events).toHaveLength(2);
    await new Promise((r) => setTimeout(r, 1_200));
    expect(page(await call(h, { path: `/v1/instances/${instance}/events`, headers: bearer(ADMIN_KEY) })).events).toHaveLength(0);
    const gone = await call(h, { path: '/v1/events/short-1', headers: bearer(ADMIN_KEY) });
    expect(gone.status).toBe(404);
    expect((gone.json as { error: { code: string } }).error.code).toBe('EventNotFound');
    expect((await call(h, { method: 'POST', path: '/v1/events/short-1/redeliver', headers: bearer(ADMIN_KEY), body: {} })).status).toBe(404);
    const item = await table.db.send(new GetCommand({ TableName: table.tableName, Key: keys.event('short-1', instance) }));
    expect(item.Item).toBeDefined();
    expect(item.Item?.ttl).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000));
  });
});
