/**
 * SPEC §6 DingTalk delivery against a DingTalk look-alike on loopback that checks
 * signatures and enforces a sliding window with a throttle, at scaled settings
 * (5 messages per 4 s window, 3 s throttle).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createIngestHandler } from '../../functions/ingest';
import { createRulesHandler } from '../../functions/rules';
import type { Attempt, DeliveryRecord } from '../../shared/services/deliveryPorts';
import { ADMIN_KEY, testRuntime } from '../support/app';
import { startDingTalkServer } from '../support/dingtalkServer';
import type { DingTalkServer } from '../support/dingtalkServer';
import { createTestTable } from '../support/dynamo';
import type { TestTable } from '../support/dynamo';
import { bearer, call } from '../support/http';
import { createTestQueue } from '../support/queue';
import type { TestQueue } from '../support/queue';
import { startWorker, until } from '../support/worker';
import { captureOutput } from '../support/logs';
import { botIdOf } from '../../shared/services/rules';
import { requeueStuckDeliveries } from '../../shared/services/reconcile';

const LIMIT = 5;
const WINDOW_MS = 4_000;
const THROTTLE_MS = 3_000;
const SECRET = 'SECb0c1d2e3f4a5b6c7d8e9f00112233445566';

let table: TestTable;
let queue: TestQueue;
let ding: DingTalkServer;
let rt: ReturnType<typeof testRuntime>;
let worker: ReturnType<typeof startWorker> | undefined;
let seq = 0;

beforeAll(async () => {
  table = await createTestTable('deliverding');
  queue = await createTestQueue('deliveries', { VisibilityTimeout: '5' });
  ding = await startDingTalkServer({ limit: LIMIT, windowMs: WINDOW_MS, throttleMs: THROTTLE_MS });
  rt = testRuntime(table, {
    env: {
      ...queue.env,
      DINGTALK_WEBHOOK_PREFIX: ding.prefix,
      DINGTALK_RATE_LIMIT: String(LIMIT),
      DINGTALK_RATE_WINDOW_SECONDS: String(WINDOW_MS / 1000),
      DINGTALK_THROTTLE_SECONDS: String(THROTTLE_MS / 1000),
      DELIVERY_TIMEOUT_MS: '1000',
      RETRY_BASE_SECONDS: '1',
      RETRY_MAX_DELAY_SECONDS: '2',
      RETRY_MAX_ATTEMPTS: '4',
    },
  });
});
afterEach(async () => {
  await worker?.stop();
  worker = undefined;
});
afterAll(async () => {
  await ding.close();
  await queue.close();
  await table.drop();
});

function newBot() {
  seq += 1;
  const token = `tok${seq}x${Date.now().toString(36)}`;
  return { token, instanceId: `cri-ding${String(seq).padStart(4, '0')}` };
}

async function rule(instanceId: string, token: string, extra: Record<string, unknown> = {}): Promise<string> {
  const reply = await call(createRulesHandler(rt), {
    method: 'POST',
    path: `/v1/instances/${instanceId}/rules`,
    headers: bearer(ADMIN_KEY),
    body: {
      ruleName: `ding-${Math.random().toString(36).slice(2, 8)}`,
      regionId: 'cn-hangzhou',
      eventTypes: ['cr:Artifact:ScanCompleted'],
      scope: { type: 'INSTANCE' },
      notify: { method: 'dingtalk', webhookUrl: ding.webhookUrl(token), secret: SECRET },
      ...extra,
    },
  });
  expect(reply.status, reply.text).toBe(201);
  return (reply.json as { ruleId: string }).ruleId;
}

async function ingest(instanceId: string, count: number, tag = 'v1.0.0') {
  const events = Array.from({ length: count }, (_, i) => ({
    specversion: '1.0',
    id: `ding-${seq}-${i}-${Math.random().toString(36).slice(2, 8)}`,
    source: 'acs.cr',
    type: 'cr:Artifact:ScanCompleted',
    time: '2026-11-20T08:00:00Z',
    data: { InstanceId: instanceId, RegionId: 'cn-hangzhou', RepoNamespaceName: 'team-a', RepoName: 'api', Tag: tag, ScanStatus: 'FAILED' },
  }));
  const reply = await call(createIngestHandler(rt), {
    method: 'POST',
    path: '/v1/events',
    headers: { ...bearer(ADMIN_KEY), 'content-type': 'application/cloudevents-batch+json' },
    body: events,
  });
  expect(reply.status).toBe(202);
  return events;
}

async function allSettled(pairs: { eventId: string; ruleId: string }[], timeoutMs: number): Promise<DeliveryRecord[]> {
  return until(
    'every delivery to settle',
    async () => {
      const records = await Promise.all(pairs.map((p) => rt.deliver.deliveries.get(p.eventId, p.ruleId)));
      return records.every((r) => r && ['delivered', 'failed', 'dead'].includes(r.state)) ? (records as DeliveryRecord[]) : undefined;
    },
    timeoutMs,
  );
}

const attemptsOf = (d: DeliveryRecord) => d.attempts as Attempt[];

describe('DingTalk delivery', () => {
  it('sends a signed markdown notification naming type, status, image, instance, time and event id', async () => {
    const { token, instanceId } = newBot();
    ding.setSecret(token, SECRET);
    const ruleId = await rule(instanceId, token);
    const [event] = await ingest(instanceId, 1);
    worker = startWorker(rt, queue);
    const [delivery] = await allSettled([{ eventId: event?.id ?? '', ruleId }], 10_000);
    expect(delivery?.state).toBe('delivered');
    expect(attemptsOf(delivery as DeliveryRecord)).toEqual([expect.objectContaining({ n: 1, outcome: 'delivered', httpStatus: 200, providerCode: 0 })]);
    const [message] = ding.messages(token);
    expect(message?.signed).toBe(true);
    for (const part of ['ScanCompleted', 'FAILED', 'team-a/api:v1.0.0', instanceId, 'cn-hangzhou', event?.id ?? '?']) {
      expect(message?.text).toContain(part);
    }
  });

  it('renders the rule template with escaped values', async () => {
    const { token, instanceId } = newBot();
    const ruleId = await rule(instanceId, token, { template: '### {{status}} on {{repoName}}\ntag *{{tag}}* id {{eventId}}' });
    const [event] = await ingest(instanceId, 1, 'v1_beta');
    worker = startWorker(rt, queue);
    await allSettled([{ eventId: event?.id ?? '', ruleId }], 10_000);
    expect(ding.messages(token)[0]?.text).toBe(`### FAILED on api\ntag *v1\\_beta* id ${String(event?.id).replaceAll('-', '-')}`);
  });

  it('configuration errors fail (310000 bad signature), 5xx is retried', async () => {
    const bad = newBot();
    ding.setSecret(bad.token, 'SECsomethingelse0123456789');
    const badRule = await rule(bad.instanceId, bad.token);
    const [badEvent] = await ingest(bad.instanceId, 1);
    const flaky = newBot();
    ding.failNext(flaky.token, { httpStatus: 502 });
    const flakyRule = await rule(flaky.instanceId, flaky.token);
    const [flakyEvent] = await ingest(flaky.instanceId, 1);
    worker = startWorker(rt, queue);
    const [failed, retried] = await allSettled(
      [
        { eventId: badEvent?.id ?? '', ruleId: badRule },
        { eventId: flakyEvent?.id ?? '', ruleId: flakyRule },
      ],
      15_000,
    );
    expect(failed?.state).toBe('failed');
    expect(attemptsOf(failed as DeliveryRecord)[0]).toMatchObject({ outcome: 'failed', providerCode: 310000 });
    expect(retried?.state).toBe('delivered');
    expect(attemptsOf(retried as DeliveryRecord).map((a) => a.outcome)).toEqual(['retry', 'delivered']);
  }, 20_000);

  it('a 40-event burst through two rules to one bot arrives whole within two windows, never over the limit', async () => {
    const { token, instanceId } = newBot();
    ding.setSecret(token, SECRET);
    const ruleA = await rule(instanceId, token);
    const ruleB = await rule(instanceId, token, { scope: { type: 'NAMESPACE', namespaces: ['team-a'] } });
    worker = startWorker(rt, queue, { concurrency: 4 });
    const output = captureOutput();
    const started = Date.now();
    const events = await ingest(instanceId, 40);
    const pairs = events.flatMap((e) => [ruleA, ruleB].map((ruleId) => ({ eventId: e.id, ruleId })));
    let records: DeliveryRecord[];
    try {
      records = await allSettled(pairs, 2 * WINDOW_MS + 4_000);
    } finally {
      output.restore();
    }
    expect(output.lines()).toMatch(/"DigestsSent":\d/);
    const lastArrival = Math.max(...ding.messages(token).map((m) => m.at));
    expect(records.every((r) => r.state === 'delivered')).toBe(true);
    expect(lastArrival - started).toBeLessThanOrEqual(2 * WINDOW_MS);
    expect(ding.violations(token)).toBe(0);
    expect(ding.maxInWindow(token, WINDOW_MS)).toBeLessThanOrEqual(LIMIT);
    const text = ding.messages(token).map((m) => m.text).join('\n');
    for (const e of events) expect(text.split(e.id).length - 1, e.id).toBe(2); // once per rule
    expect(records.some((r) => attemptsOf(r).at(-1)?.digestId)).toBe(true);
  }, 30_000);

  it('on 130101 the bot is paused: nothing is sent during the pause, everything arrives after it', async () => {
    const { token, instanceId } = newBot();
    const ruleId = await rule(instanceId, token);
    ding.failNext(token, { errcode: 130101, errmsg: 'send too fast' });
    worker = startWorker(rt, queue);
    const output = captureOutput();
    const [first] = await ingest(instanceId, 1);
    try {
      await until('the throttled reply', async () => ding.requests(token) >= 1, 10_000);
      await until('the pause to be counted', async () => output.lines().includes('"ThrottlePauses":1') || undefined, 5_000);
    } finally {
      output.restore();
    }
    const pausedAt = Date.now();
    const more = await ingest(instanceId, 6);
    const records = await allSettled([first, ...more].map((e) => ({ eventId: e?.id ?? '', ruleId })), THROTTLE_MS + 10_000);
    expect(records.every((r) => r.state === 'delivered')).toBe(true);
    const throttled = attemptsOf(records[0] as DeliveryRecord);
    expect(throttled[0]).toMatchObject({ outcome: 'throttled', providerCode: 130101 });
    const sendsDuringPause = ding.messages(token).filter((m) => m.at < pausedAt + THROTTLE_MS - 300);
    expect(sendsDuringPause).toHaveLength(0);
    expect(ding.requests(token)).toBeGreaterThanOrEqual(2);
  }, 25_000);

  it('the rule test route sends one sample now, counts against the bot, and answers 429 with Retry-After when none is left', async () => {
    const { token, instanceId } = newBot();
    ding.setSecret(token, SECRET);
    const ruleId = await rule(instanceId, token);
    const handler = createRulesHandler(rt);
    const test = () => call(handler, { method: 'POST', path: `/v1/instances/${instanceId}/rules/${ruleId}/test`, headers: bearer(ADMIN_KEY) });
    for (let i = 0; i < LIMIT; i += 1) {
      const reply = await test();
      expect(reply.status).toBe(200);
      expect(reply.json).toMatchObject({ outcome: 'delivered', httpStatus: 200, providerCode: 0, durationMs: expect.any(Number) });
    }
    const limited = await test();
    expect(limited.status).toBe(429);
    expect((limited.json as { error: { code: string } }).error.code).toBe('RateLimited');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(Math.ceil((WINDOW_MS + 1_000 + 250) / 1000));
    expect(ding.messages(token)).toHaveLength(LIMIT);
    expect(ding.violations(token)).toBe(0);
    const missing = await call(handler, { method: 'POST', path: `/v1/instances/${instanceId}/rules/crecr-0000000000000000/test`, headers: bearer(ADMIN_KEY) });
    expect(missing.status).toBe(404);
  });

  it('the rule test names the pause when DingTalk has throttled the bot, and marks its sample as a test', async () => {
    const { token, instanceId } = newBot();
    ding.setSecret(token, SECRET);
    const ruleId = await rule(instanceId, token);
    const handler = createRulesHandler(rt);
    const test = () => call(handler, { method: 'POST', path: `/v1/instances/${instanceId}/rules/${ruleId}/test`, headers: bearer(ADMIN_KEY) });
    expect((await test()).status).toBe(200);
    const sample = ding.messages(token).at(-1);
    expect(sample?.title).toMatch(/^\[Test\] /);
    expect(sample?.text.split('\n')[0]).toContain('[Test] A rule test, not a real registry event.');
    await rt.deliver.chatbots.pause(botIdOf(new URL(ding.webhookUrl(token))), Date.now() + 60_000);
    const paused = await test();
    expect(paused.status).toBe(429);
    const message = (paused.json as { error: { message: string } }).error.message;
    expect(message).toContain('paused because DingTalk reported it throttled');
    expect(message).not.toContain('no sends left');
    expect(Number(paused.headers['retry-after'])).toBeGreaterThan(50);
  });

  it('a lost flush message is recovered by the reconciler: parked mail is re-queued and delivered', async () => {
    const { token, instanceId } = newBot();
    const ruleId = await rule(instanceId, token);
    const botId = botIdOf(new URL(ding.webhookUrl(token)));
    await rt.deliver.chatbots.pause(botId, Date.now() + 1_000);
    // A worker whose flush messages vanish (a crash between claiming and sending).
    const lossy = { ...rt, deliver: { ...rt.deliver, queue: { sendDelayed: async () => undefined } } };
    worker = startWorker(lossy, queue);
    const events = await ingest(instanceId, 3);
    await until('all parked', async () => (await rt.deliver.chatbots.listMail(botId)).length === 3 || undefined, 10_000);
    await worker.stop();
    await new Promise((r) => setTimeout(r, 1_200)); // the pause is over, but no flush is coming
    expect(ding.messages(token)).toHaveLength(0);

    const later = () => new Date(Date.now() + (rt.config.reconcileAfterSeconds + 1) * 1000);
    const run = await requeueStuckDeliveries({ ...rt.reconcile, now: later });
    expect(run.requeued).toBeGreaterThanOrEqual(3);
    worker = startWorker(rt, queue);
    const records = await allSettled(events.map((e) => ({ eventId: e.id, ruleId })), 10_000);
    expect(records.every((r) => r.state === 'delivered')).toBe(true);
    expect(await rt.deliver.chatbots.listMail(botId)).toEqual([]);
  }, 30_000);
});
