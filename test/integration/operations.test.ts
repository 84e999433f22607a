/**
 * SPEC §13 on real local parts: history by delivery state is exact (each event once, with
 * the other filters, across pages), bulk redelivery re-queues failed/dead deliveries by
 * rule and time, and bulk redelivery of 200 failed deliveries to one chatbot never breaks
 * its limit at the receiver.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createEventsHandler } from '../../functions/events';
import { createIngestHandler } from '../../functions/ingest';
import { createRulesHandler } from '../../functions/rules';
import type { DeliveryRecord } from '../../shared/services/deliveryPorts';
import { ADMIN_KEY, testRuntime } from '../support/app';
import { startDingTalkServer } from '../support/dingtalkServer';
import type { DingTalkServer } from '../support/dingtalkServer';
import { createTestTable } from '../support/dynamo';
import type { TestTable } from '../support/dynamo';
import { bearer, call } from '../support/http';
import { createTestQueue } from '../support/queue';
import type { TestQueue } from '../support/queue';
import { startReceiver } from '../support/receiver';
import type { Receiver } from '../support/receiver';
import { startWorker, until } from '../support/worker';

const LIMIT = 5;
const WINDOW_MS = 4_000;
let table: TestTable;
let queue: TestQueue;
let receiver: Receiver;
let ding: DingTalkServer;
let rt: ReturnType<typeof testRuntime>;
let worker: ReturnType<typeof startWorker> | undefined;

beforeAll(async () => {
  table = await createTestTable('operations');
  queue = await createTestQueue('operations', { VisibilityTimeout: '5' });
  receiver = await startReceiver('/hook');
  ding = await startDingTalkServer({ limit: LIMIT, windowMs: WINDOW_MS, throttleMs: 3_000 });
  rt = testRuntime(table, {
    env: {
      ...queue.env,
      DINGTALK_WEBHOOK_PREFIX: ding.prefix,
      DINGTALK_RATE_LIMIT: String(LIMIT),
      DINGTALK_RATE_WINDOW_SECONDS: String(WINDOW_MS / 1000),
      DINGTALK_THROTTLE_SECONDS: '3',
      DELIVERY_TIMEOUT_MS: '1000',
      RETRY_BASE_SECONDS: '1',
      RETRY_MAX_DELAY_SECONDS: '1',
      // One attempt: a 503 ends `dead` at once, a 400 `failed`.
      RETRY_MAX_ATTEMPTS: '1',
    },
  });
});
afterEach(async () => {
  await worker?.stop();
  worker = undefined;
});
afterAll(async () => {
  await receiver.close();
  await ding.close();
  await queue.close();
  await table.drop();
});

const api = (fn: 'rules' | 'events', method: string, pathAndQuery: string, body?: object) => {
  const [path = '', search] = pathAndQuery.split('?');
  const query = search ? Object.fromEntries(new URLSearchParams(search)) : undefined;
  return call(fn === 'rules' ? createRulesHandler(rt) : createEventsHandler(rt), {
    method,
    path,
    headers: bearer(ADMIN_KEY),
    ...(query ? { query } : {}),
    ...(body !== undefined ? { body } : {}),
  });
};

async function rule(instanceId: string, name: string, notify: object, repo = 'api', regionId = 'cn-hangzhou'): Promise<string> {
  const reply = await api('rules', 'POST', `/v1/instances/${instanceId}/rules`, {
    ruleName: name,
    regionId,
    eventTypes: ['cr:Artifact:ScanCompleted'],
    scope: { type: 'REPO', namespace: 'team-a', repoNames: [repo] },
    notify,
  });
  expect(reply.status, reply.text).toBe(201);
  return (reply.json as { ruleId: string }).ruleId;
}

let seq = 0;
async function ingest(instanceId: string, count: number, repo = 'api', regionId = 'cn-hangzhou'): Promise<string[]> {
  const ids: string[] = [];
  for (let offset = 0; offset < count; offset += 100) {
    const events = Array.from({ length: Math.min(100, count - offset) }, () => {
      seq += 1;
      return {
        specversion: '1.0',
        id: `ops-${seq}-${Math.random().toString(36).slice(2, 8)}`,
        source: 'acs.cr',
        type: 'cr:Artifact:ScanCompleted',
        data: { InstanceId: instanceId, RegionId: regionId, RepoNamespaceName: 'team-a', RepoName: repo, Tag: 'v1', ScanStatus: 'FAILED' },
      };
    });
    const reply = await call(createIngestHandler(rt), {
      method: 'POST',
      path: '/v1/events',
      headers: { ...bearer(ADMIN_KEY), 'content-type': 'application/cloudevents-batch+json' },
      body: events,
    });
    expect(reply.status, reply.text).toBe(202);
    ids.push(...events.map((e) => e.id));
  }
  return ids;
}

const settled = (instanceId: string, pairs: { eventId: string; ruleId: string }[], states: string[], timeoutMs: number) =>
  until(
    `deliveries in ${states.join('/')}`,
    async () => {
      const records = await Promise.all(pairs.map((p) => rt.deliver.deliveries.get(p.eventId, p.ruleId, instanceId)));
      return records.every((r) => r && states.includes(r.state)) ? (records as DeliveryRecord[]) : undefined;
    },
    timeoutMs,
  );

/** Every event id the listing returns, following nextToken, with the page size given. */
async function listAll(instanceId: string, query: string, limit: number): Promise<string[]> {
  const ids: string[] = [];
  let token: string | null = null;
  do {
    const tokenPart: string = token ? `&nextToken=${encodeURIComponent(token)}` : '';
    const reply = await api('events', 'GET', `/v1/instances/${instanceId}/events?${query}&limit=${limit}${tokenPart}`);
    expect(reply.status, reply.text).toBe(200);
    const page = reply.json as { events: { eventId: string }[]; nextToken: string | null };
    ids.push(...page.events.map((e) => e.eventId));
    token = page.nextToken;
  } while (token);
  return ids;
}

describe('history by delivery state', () => {
  it('lists exactly the events with a delivery in the state, each once, across pages and with other filters', async () => {
    const instanceId = 'cri-opsstate01';
    const a = await rule(instanceId, 'a', { method: 'http', url: receiver.url });
    const b = await rule(instanceId, 'b', { method: 'http', url: receiver.url });
    const web = await rule(instanceId, 'web', { method: 'http', url: receiver.url }, 'web');
    worker = startWorker(rt, queue, { concurrency: 1 });
    // Two rules per `api` event. Replies in order of arrival are unknown, so states are
    // read back rather than assumed: 400 → failed, 503 → dead (one attempt), 200 → delivered.
    receiver.script({ status: 400 }, { status: 400 }, { status: 503 }, { status: 400 }, { status: 503 }, { status: 503 });
    const apiEvents = await ingest(instanceId, 5);
    const webEvents = await ingest(instanceId, 2, 'web');
    const pairs = [...apiEvents.flatMap((eventId) => [{ eventId, ruleId: a }, { eventId, ruleId: b }]), ...webEvents.map((eventId) => ({ eventId, ruleId: web }))];
    const records = await settled(instanceId, pairs, ['delivered', 'failed', 'dead'], 30_000);
    await worker.stop();
    worker = undefined;
    const pending = await ingest(instanceId, 2); // no worker: they stay pending

    const expected = (state: string) => [...new Set(records.filter((r) => r.state === state).map((r) => r.eventId))].sort();
    for (const state of ['failed', 'dead', 'delivered']) {
      expect(expected(state).length, state).toBeGreaterThan(0);
      const listed = await listAll(instanceId, `deliveryState=${state}`, 2);
      expect(listed.length, `${state}: each event once`).toBe(new Set(listed).size);
      expect([...listed].sort(), state).toEqual(expected(state));
    }
    expect((await listAll(instanceId, 'deliveryState=pending', 1)).sort()).toEqual([...pending].sort());
    expect(await listAll(instanceId, 'deliveryState=suspended', 5)).toEqual([]);
    expect(await listAll(instanceId, 'deliveryState=retrying', 5)).toEqual([]);
    // With another filter: only the `web` rule's events.
    const webDelivered = [...new Set(records.filter((r) => r.state === 'delivered' && r.ruleId === web).map((r) => r.eventId))].sort();
    expect((await listAll(instanceId, `deliveryState=delivered&ruleId=${web}`, 10)).sort()).toEqual(webDelivered);
    // With a rule: the events whose delivery FOR THAT RULE is in the state (not another rule's).
    for (const state of ['failed', 'dead', 'delivered']) {
      for (const ruleId of [a, b]) {
        const own = [...new Set(records.filter((r) => r.state === state && r.ruleId === ruleId).map((r) => r.eventId))].sort();
        expect((await listAll(instanceId, `deliveryState=${state}&ruleId=${ruleId}`, 2)).sort(), `${state} of ${ruleId}`).toEqual(own);
      }
    }
    expect((await listAll(instanceId, `deliveryState=pending&ruleId=${a}`, 1)).sort()).toEqual([...pending].sort());
    // A token minted for one state is refused for another.
    const first = await api('events', 'GET', `/v1/instances/${instanceId}/events?deliveryState=delivered&limit=1`);
    const token = (first.json as { nextToken: string | null }).nextToken;
    if (token) expect((await api('events', 'GET', `/v1/instances/${instanceId}/events?deliveryState=failed&nextToken=${encodeURIComponent(token)}`)).status).toBe(400);
    expect((await api('events', 'GET', `/v1/instances/${instanceId}/events?deliveryState=lost`)).status).toBe(400);

    // Bulk redelivery of one rule's failed and dead deliveries: exactly those are re-queued and now delivered.
    const ofA = records.filter((r) => r.ruleId === a && (r.state === 'failed' || r.state === 'dead'));
    const bulk = await api('events', 'POST', `/v1/instances/${instanceId}/redeliver`, { ruleId: a, states: ['failed', 'dead'] });
    expect(bulk.status, bulk.text).toBe(202);
    expect(bulk.json).toEqual({ requeued: ofA.length });
    worker = startWorker(rt, queue);
    await settled(instanceId, ofA.map((r) => ({ eventId: r.eventId, ruleId: a })), ['delivered'], 20_000);
    const ofB = records.filter((r) => r.ruleId === b && (r.state === 'failed' || r.state === 'dead'));
    const stillB = await Promise.all(ofB.map((r) => rt.deliver.deliveries.get(r.eventId, b, instanceId)));
    expect(stillB.map((r) => r?.state)).toEqual(ofB.map((r) => r.state));
    // A range that ends before anything failed re-queues nothing.
    const none = await api('events', 'POST', `/v1/instances/${instanceId}/redeliver`, { states: ['failed', 'dead'], until: '2020-01-01T00:00:00Z' });
    expect(none.json).toEqual({ requeued: 0 });
    // A range that ends before it starts is the caller's mistake: 400 at the field, nothing read.
    const backwards = await api('events', 'POST', `/v1/instances/${instanceId}/redeliver`, { states: ['failed'], since: '2026-12-07T00:00:00Z', until: '2026-12-01T00:00:00Z' });
    expect(backwards.status).toBe(400);
    expect(backwards.json).toMatchObject({ error: { code: 'ValidationFailed', details: [{ path: 'since', message: 'must not be after until' }] } });
  }, 90_000);
});

describe('bulk redelivery', () => {
  it('200 failed deliveries to one chatbot are re-queued and delivered without breaking its limit', async () => {
    const instanceId = 'cri-opsbulk01';
    const token = `bulk${Date.now().toString(36)}`;
    const ruleId = await rule(instanceId, 'bulk', { method: 'dingtalk', webhookUrl: ding.webhookUrl(token) });
    const ids = await ingest(instanceId, 200);
    // Fail each delivery through the repository the worker uses (a failed attempt in its
    // trace), before any worker picks them up: their queue messages then find them closed.
    for (const eventId of ids) {
      const d = await rt.deliver.deliveries.get(eventId, ruleId, instanceId);
      if (!d) throw new Error(`no delivery for ${eventId}`);
      await rt.deliver.deliveries.transition(d, { state: 'failed', attempt: { n: 1, at: new Date().toISOString(), durationMs: 1, outcome: 'failed', providerCode: 310000 } });
    }
    worker = startWorker(rt, queue);
    const bulk = await api('events', 'POST', `/v1/instances/${instanceId}/redeliver`, { states: ['failed'] });
    expect(bulk.status, bulk.text).toBe(202);
    expect(bulk.json).toEqual({ requeued: 200 });
    await settled(instanceId, ids.map((eventId) => ({ eventId, ruleId })), ['delivered'], 60_000);
    expect(ding.violations(token)).toBe(0);
    expect(ding.maxInWindow(token, WINDOW_MS)).toBeLessThanOrEqual(LIMIT);
    const text = ding.messages(token).map((m) => m.text).join('\n');
    for (const id of ids) expect(text).toContain(id);
    expect((await api('events', 'POST', `/v1/instances/${instanceId}/redeliver`, { states: ['failed'] })).json).toEqual({ requeued: 0 });
  }, 120_000);
});

describe('chatbot status', () => {
  it('a chatbot paused by a throttle reply shows as paused with its pausedUntil, its waiting mail and next flush', async () => {
    const instanceId = 'cri-opsbots01';
    const token = `${Date.now().toString(36)}paus`;
    const other = `${Date.now().toString(36)}idle`;
    const r1 = await rule(instanceId, 'bot-a', { method: 'dingtalk', webhookUrl: ding.webhookUrl(token) });
    const r2 = await rule(instanceId, 'bot-a-too', { method: 'dingtalk', webhookUrl: ding.webhookUrl(token) }, 'web');
    const r3 = await rule(instanceId, 'bot-b', { method: 'dingtalk', webhookUrl: ding.webhookUrl(other) }, 'db');
    await rule(instanceId, 'not-a-bot', { method: 'http', url: receiver.url }, 'db');
    const before = await api('rules', 'GET', `/v1/instances/${instanceId}/chatbots`);
    expect(before.status, before.text).toBe(200);
    const idle = { windows: [{ limit: LIMIT, windowSeconds: WINDOW_MS / 1000, used: 0 }], waiting: 0 };
    const listed = (before.json as { chatbots: unknown[] }).chatbots;
    expect(listed).toHaveLength(2);
    expect(listed).toEqual(
      expect.arrayContaining([
        { method: 'dingtalk', bot: ding.webhookUrl(token).replace(token, '****paus'), ruleIds: [r1, r2].sort(), ...idle },
        { method: 'dingtalk', bot: ding.webhookUrl(other).replace(other, '****idle'), ruleIds: [r3], ...idle },
      ]),
    );
    expect(before.text).not.toContain(token);

    ding.failNext(token, { errcode: 130101, errmsg: 'send too fast' });
    const throttledAt = Date.now();
    const [eventId] = await ingest(instanceId, 1);
    worker = startWorker(rt, queue);
    await until('the delivery throttled', async () => (await rt.deliver.deliveries.get(eventId ?? '', r1, instanceId))?.state === 'throttled', 15_000);
    const reply = await api('rules', 'GET', `/v1/instances/${instanceId}/chatbots`);
    const bots = (reply.json as { chatbots: { ruleIds: string[]; pausedUntil?: string; waiting: number; nextFlushAt?: string; windows: { used: number }[] }[] }).chatbots;
    const paused = bots.find((b) => b.ruleIds.includes(r1));
    expect(paused?.pausedUntil).toBeDefined();
    const pausedUntil = Date.parse(paused?.pausedUntil ?? '');
    // DINGTALK_THROTTLE_SECONDS (3 s) from the throttled send.
    expect(pausedUntil).toBeGreaterThan(Date.now());
    expect(pausedUntil).toBeGreaterThanOrEqual(throttledAt + 3_000);
    expect(pausedUntil).toBeLessThanOrEqual(Date.now() + 3_000);
    expect(paused?.waiting).toBe(1);
    expect(paused?.windows[0]?.used).toBe(1);
    expect(Date.parse(paused?.nextFlushAt ?? '')).toBeGreaterThanOrEqual(pausedUntil);
    expect(bots.find((b) => b.ruleIds.includes(r3))).toMatchObject(idle);
    // After the pause the mail leaves, and the bot is no longer shown as paused.
    await until('delivered after the pause', async () => (await rt.deliver.deliveries.get(eventId ?? '', r1, instanceId))?.state === 'delivered', 20_000);
    const afterPause = (await api('rules', 'GET', `/v1/instances/${instanceId}/chatbots`)).json as { chatbots: { ruleIds: string[]; pausedUntil?: string; waiting: number }[] };
    const resumedBot = afterPause.chatbots.find((b) => b.ruleIds.includes(r1));
    expect(resumedBot?.pausedUntil).toBeUndefined();
    expect(resumedBot?.waiting).toBe(0);
  }, 60_000);
});

describe('redelivery and deleted rules', () => {
  it('naming a deleted rule is 404 RuleNotFound (single and bulk), and redelivery without a rule skips its deliveries', async () => {
    const instanceId = 'cri-opsgone01';
    const keptReceiver = await startReceiver('/kept');
    const goneReceiver = await startReceiver('/gone');
    try {
      const kept = await rule(instanceId, 'kept', { method: 'http', url: keptReceiver.url });
      const gone = await rule(instanceId, 'gone', { method: 'http', url: goneReceiver.url });
      const [first = '', second = ''] = await ingest(instanceId, 2);
      // Every delivery failed (through the worker's repository), before any worker picks them up.
      for (const eventId of [first, second]) {
        for (const ruleId of [kept, gone]) {
          const d = await rt.deliver.deliveries.get(eventId, ruleId, instanceId);
          if (!d) throw new Error(`no delivery for ${eventId}`);
          await rt.deliver.deliveries.transition(d, { state: 'failed', attempt: { n: 1, at: new Date().toISOString(), durationMs: 1, outcome: 'failed', httpStatus: 400 } });
        }
      }
      expect((await api('rules', 'DELETE', `/v1/instances/${instanceId}/rules/${gone}`)).status).toBe(204);
      const stateOf = async (eventId: string, ruleId: string) => (await rt.deliver.deliveries.get(eventId, ruleId, instanceId))?.state;

      for (const path of [`/v1/instances/${instanceId}/events/${first}/redeliver`, `/v1/events/${first}/redeliver`]) {
        const single = await api('events', 'POST', path, { ruleId: gone });
        expect(single.status, single.text).toBe(404);
        expect((single.json as { error: { code: string } }).error.code).toBe('RuleNotFound');
      }
      const bulkGone = await api('events', 'POST', `/v1/instances/${instanceId}/redeliver`, { ruleId: gone, states: ['failed', 'dead'] });
      expect(bulkGone.status, bulkGone.text).toBe(404);
      expect((bulkGone.json as { error: { code: string } }).error.code).toBe('RuleNotFound');
      // A rule of another instance is not this instance's either.
      const elsewhere = await rule('cri-opsgone02', 'elsewhere', { method: 'http', url: keptReceiver.url });
      expect((await api('events', 'POST', `/v1/instances/${instanceId}/redeliver`, { ruleId: elsewhere, states: ['failed'] })).status).toBe(404);
      expect([await stateOf(first, gone), await stateOf(second, gone), await stateOf(first, kept), await stateOf(second, kept)]).toEqual(['failed', 'failed', 'failed', 'failed']);

      // Without a rule: only the rule that still exists is re-queued.
      const single = await api('events', 'POST', `/v1/instances/${instanceId}/events/${first}/redeliver`);
      expect(single.status, single.text).toBe(202);
      expect(single.json).toEqual({ requeued: [kept] });
      const bulk = await api('events', 'POST', `/v1/instances/${instanceId}/redeliver`, { states: ['failed', 'dead'] });
      expect(bulk.status, bulk.text).toBe(202);
      expect(bulk.json).toEqual({ requeued: 1 });
      worker = startWorker(rt, queue);
      await settled(instanceId, [first, second].map((eventId) => ({ eventId, ruleId: kept })), ['delivered'], 20_000);
      expect([await stateOf(first, gone), await stateOf(second, gone)]).toEqual(['failed', 'failed']);
      // (At least once: ingest's own messages may find the reopened deliveries too.)
      expect(new Set(keptReceiver.received.map((r) => (JSON.parse(r.body) as { id: string }).id))).toEqual(new Set([first, second]));
      expect(goneReceiver.received).toHaveLength(0);
    } finally {
      await keptReceiver.close();
      await goneReceiver.close();
    }
  }, 60_000);

  it('redelivery after the target was fixed goes to the rule\'s target as it is now (single and bulk)', async () => {
    const instanceId = 'cri-opsfixed01';
    const broken = await startReceiver('/broken');
    const fixed = await startReceiver('/fixed');
    try {
      // Another region: this file's earlier tests fill cn-hangzhou's shared rule quota.
      const ruleId = await rule(instanceId, 'fixed-later', { method: 'http', url: broken.url }, 'api', 'cn-shanghai');
      const [first = '', second = ''] = await ingest(instanceId, 2, 'api', 'cn-shanghai');
      for (const eventId of [first, second]) {
        const d = await rt.deliver.deliveries.get(eventId, ruleId, instanceId);
        if (!d) throw new Error(`no delivery for ${eventId}`);
        await rt.deliver.deliveries.transition(d, { state: 'failed', attempt: { n: 1, at: new Date().toISOString(), durationMs: 1, outcome: 'failed', httpStatus: 404 } });
      }
      const patched = await api('rules', 'PATCH', `/v1/instances/${instanceId}/rules/${ruleId}`, { notify: { method: 'http', url: fixed.url } });
      expect(patched.status, patched.text).toBe(200);
      expect((await api('events', 'POST', `/v1/instances/${instanceId}/events/${first}/redeliver`, { ruleId })).json).toEqual({ requeued: [ruleId] });
      expect((await api('events', 'POST', `/v1/instances/${instanceId}/redeliver`, { ruleId, states: ['failed'] })).json).toEqual({ requeued: 1 });
      worker = startWorker(rt, queue);
      await settled(instanceId, [first, second].map((eventId) => ({ eventId, ruleId })), ['delivered'], 20_000);
      expect(new Set(fixed.received.map((r) => (JSON.parse(r.body) as { id: string }).id))).toEqual(new Set([first, second]));
      expect(broken.received).toHaveLength(0);
      const trace = await api('events', 'GET', `/v1/instances/${instanceId}/events/${first}`);
      expect((trace.json as { deliveries: { target: string }[] }).deliveries[0]?.target).toBe(fixed.url);
    } finally {
      await broken.close();
      await fixed.close();
    }
  }, 60_000);
});
