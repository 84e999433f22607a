/**
 * Rules that share a chat bot share its mailbox and windows, never its credentials: each
 * rule's notifications go to its own webhook URL, signed with its own secret (a digest
 * signed with one rule's secret once failed a correct rule and delivered a wrong one).
 * Real rules, ingest and delivery handlers (DynamoDB Local, the local queue, 4 workers)
 * against the Feishu and DingTalk look-alikes, which check signatures and enforce windows.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createIngestHandler } from '../../functions/ingest';
import { createRulesHandler } from '../../functions/rules';
import type { Attempt, DeliveryRecord } from '../../shared/services/deliveryPorts';
import type { ChatLookalike, Window } from '../../local/lookalikes/chat';
import { startFeishuLookalike } from '../../local/lookalikes/feishu';
import { ADMIN_KEY, testRuntime } from '../support/app';
import { startDingTalkServer } from '../support/dingtalkServer';
import type { DingTalkServer } from '../support/dingtalkServer';
import { createTestTable } from '../support/dynamo';
import type { TestTable } from '../support/dynamo';
import { bearer, call } from '../support/http';
import { createTestQueue } from '../support/queue';
import type { TestQueue } from '../support/queue';
import { startWorker, until } from '../support/worker';

const FEISHU_WINDOWS: Window[] = [
  { limit: 2, windowMs: 1_000 },
  { limit: 5, windowMs: 5_000 },
];
const DING = { limit: 5, windowMs: 4_000, throttleMs: 3_000 };

/** What the test needs of a look-alike, whichever provider it plays. */
interface Bot {
  method: 'feishu' | 'dingtalk';
  secret: string;
  /** The provider's answer to a wrong signature. */
  badSignCode: number;
  windows: Window[];
  webhookUrl: (bot: string) => string;
  setSecret: (bot: string, secret: string) => void;
  texts: (bot: string) => string[];
  violations: (bot: string) => number;
  maxInWindow: (bot: string, windowMs: number) => number;
}

let table: TestTable;
let queue: TestQueue;
let feishu: ChatLookalike;
let ding: DingTalkServer;
let rt: ReturnType<typeof testRuntime>;
let worker: ReturnType<typeof startWorker> | undefined;
let seq = 0;
const bots: Bot[] = [];

const rand = () => Math.random().toString(36).slice(2, 10);

beforeAll(async () => {
  table = await createTestTable('chatcreds');
  queue = await createTestQueue('deliveries', { VisibilityTimeout: '5' });
  feishu = await startFeishuLookalike({ windows: FEISHU_WINDOWS, throttleMs: 2_000 });
  ding = await startDingTalkServer(DING);
  bots.push(
    {
      method: 'feishu',
      secret: 'local-feishu-secret',
      badSignCode: 19021,
      windows: FEISHU_WINDOWS,
      webhookUrl: (b) => feishu.webhookUrl(b),
      setSecret: (b, s) => feishu.setSecret(b, s),
      texts: (b) => feishu.messages(b).map((m) => m.text),
      violations: (b) => feishu.violations(b),
      maxInWindow: (b, w) => feishu.maxInWindow(b, w),
    },
    {
      method: 'dingtalk',
      secret: 'SECb0c1d2e3f4a5b6c7d8e9f00112233445566',
      badSignCode: 310000,
      windows: [{ limit: DING.limit, windowMs: DING.windowMs }],
      webhookUrl: (b) => ding.webhookUrl(b),
      setSecret: (b, s) => ding.setSecret(b, s),
      texts: (b) => ding.messages(b).map((m) => m.text),
      violations: (b) => ding.violations(b),
      maxInWindow: (b, w) => ding.maxInWindow(b, w),
    },
  );
  rt = testRuntime(table, {
    env: {
      ...queue.env,
      FEISHU_WEBHOOK_PREFIXES: feishu.prefix,
      FEISHU_RATE_WINDOWS: FEISHU_WINDOWS.map((w) => `${w.limit}/${w.windowMs / 1000}`).join(','),
      FEISHU_THROTTLE_SECONDS: '2',
      DINGTALK_WEBHOOK_PREFIX: ding.prefix,
      DINGTALK_RATE_LIMIT: String(DING.limit),
      DINGTALK_RATE_WINDOW_SECONDS: String(DING.windowMs / 1000),
      DINGTALK_THROTTLE_SECONDS: String(DING.throttleMs / 1000),
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
  await feishu.close();
  await ding.close();
  await queue.close();
  await table.drop();
});

async function rule(b: Bot, instanceId: string, ruleName: string, webhookUrl: string, secret: string): Promise<string> {
  const reply = await call(createRulesHandler(rt), {
    method: 'POST',
    path: `/v1/instances/${instanceId}/rules`,
    headers: bearer(ADMIN_KEY),
    body: { ruleName, regionId: 'cn-hangzhou', eventTypes: ['cr:Artifact:ScanCompleted'], scope: { type: 'INSTANCE' }, notify: { method: b.method, webhookUrl, secret } },
  });
  expect(reply.status, reply.text).toBe(201);
  return (reply.json as { ruleId: string }).ruleId;
}

/** Events one second apart in event time, sent in one batch. */
async function ingest(instanceId: string, count: number) {
  const events = Array.from({ length: count }, (_, i) => ({
    specversion: '1.0',
    id: `cred-${seq}-${String(i).padStart(3, '0')}-${rand()}`,
    source: 'acs.cr',
    type: 'cr:Artifact:ScanCompleted',
    time: new Date(Date.parse('2026-11-20T08:00:00Z') + i * 1000).toISOString(),
    data: { InstanceId: instanceId, RegionId: 'cn-hangzhou', RepoNamespaceName: 'team-a', RepoName: 'api', Tag: 'v1.0.0', ScanStatus: 'FAILED' },
  }));
  const reply = await call(createIngestHandler(rt), {
    method: 'POST',
    path: '/v1/events',
    headers: { ...bearer(ADMIN_KEY), 'content-type': 'application/cloudevents-batch+json' },
    body: events,
  });
  expect(reply.status, reply.text).toBe(202);
  return events;
}

async function allSettled(ruleId: string, events: { id: string }[], timeoutMs: number): Promise<DeliveryRecord[]> {
  return until(
    'every delivery to settle',
    async () => {
      const records = await Promise.all(events.map((e) => rt.deliver.deliveries.get(e.id, ruleId)));
      return records.every((r) => r && ['delivered', 'failed', 'dead'].includes(r.state)) ? (records as DeliveryRecord[]) : undefined;
    },
    timeoutMs,
  );
}

const lastAttempt = (r: DeliveryRecord) => (r.attempts as Attempt[]).at(-1);
const digestIds = (records: DeliveryRecord[]) => new Set(records.flatMap((r) => (r.attempts as Attempt[]).flatMap((a) => (a.digestId ? [a.digestId] : []))));
const healthOf = async (instanceId: string, ruleId: string) =>
  ((await call(createRulesHandler(rt), { method: 'GET', path: `/v1/instances/${instanceId}/rules/${ruleId}`, headers: bearer(ADMIN_KEY) })).json as { health: { state: string; last24h: Record<string, number> } }).health;

describe.each(['feishu', 'dingtalk'] as const)('%s: rules sharing one bot', (method) => {
  const setup = () => {
    seq += 1;
    const b = bots.find((x) => x.method === method) as Bot;
    const bot = `cred${seq}x${rand()}`;
    b.setSecret(bot, b.secret);
    return { b, bot, instanceId: `cri-cred${method.slice(0, 4)}${String(seq).padStart(4, '0')}` };
  };
  const windowsHeld = (b: Bot, bot: string) => {
    expect(b.violations(bot)).toBe(0);
    for (const w of b.windows) expect(b.maxInWindow(bot, w.windowMs)).toBeLessThanOrEqual(w.limit);
  };

  it('each rule is sent with its own secret: the correct rule delivers every event, the wrong one fails with the signature error', async () => {
    const { b, bot, instanceId } = setup();
    const ok = await rule(b, instanceId, `ok-${method}`, b.webhookUrl(bot), b.secret);
    const bad = await rule(b, instanceId, `bad-${method}`, b.webhookUrl(bot), 'wrong-secret');
    worker = startWorker(rt, queue, { concurrency: 4 });
    const events = await ingest(instanceId, 8);
    const okRecords = await allSettled(ok, events, 30_000);
    const badRecords = await allSettled(bad, events, 30_000);

    expect(okRecords.map((r) => r.state)).toEqual(events.map(() => 'delivered'));
    expect(badRecords.map((r) => r.state)).toEqual(events.map(() => 'failed'));
    for (const r of badRecords) expect(lastAttempt(r)).toMatchObject({ outcome: 'failed', providerCode: b.badSignCode });
    // No send carried both rules: their digests are different messages.
    const shared = [...digestIds(okRecords)].filter((id) => digestIds(badRecords).has(id));
    expect(shared).toEqual([]);
    // The group saw every event once (only the correct rule's lines got through).
    const text = b.texts(bot).join('\n');
    for (const e of events) expect(text.split(e.id).length - 1, e.id).toBe(1);
    windowsHeld(b, bot);
    await until('the health of both rules', async () => ((await healthOf(instanceId, bad)).last24h.failed === 8 || undefined), 5_000);
    expect(await healthOf(instanceId, ok)).toMatchObject({ state: 'healthy', last24h: { delivered: 8, failed: 0 } });
    const stored = await rt.rules.store.get(instanceId, ok);
    const botId = stored && 'botId' in stored.notify ? stored.notify.botId : '';
    expect(await rt.deliver.chatbots.listMail(botId)).toEqual([]);
  }, 45_000);

  it('rules with the same webhook and secret still merge into one digest', async () => {
    const { b, bot, instanceId } = setup();
    const ruleA = await rule(b, instanceId, `a-${method}`, b.webhookUrl(bot), b.secret);
    const ruleB = await rule(b, instanceId, `b-${method}`, b.webhookUrl(bot), b.secret);
    worker = startWorker(rt, queue, { concurrency: 4 });
    const events = await ingest(instanceId, 8);
    const a = await allSettled(ruleA, events, 30_000);
    const c = await allSettled(ruleB, events, 30_000);
    expect([...a, ...c].filter((r) => r.state !== 'delivered')).toEqual([]);
    // At least one digest carried deliveries of both rules.
    const both = [...digestIds(a)].filter((id) => digestIds(c).has(id));
    expect(both.length).toBeGreaterThan(0);
    const text = b.texts(bot).join('\n');
    for (const e of events) expect(text.split(e.id).length - 1, e.id).toBe(2); // once per rule
    windowsHeld(b, bot);
  }, 45_000);
});
