/**
 * SPEC §12: Feishu/Lark, WeCom and Slack delivery through the real rules, ingest and
 * delivery handlers (DynamoDB Local, the local queue, 4 concurrent workers) against each
 * provider's look-alike on loopback, which checks signatures, bodies and size limits and
 * enforces every rate window at the receiver. Windows are scaled (seconds instead of
 * minutes) so the suite is quick, yet long enough that the limiter, not DynamoDB Local's
 * throughput on a shared machine, decides when messages leave.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createIngestHandler } from '../../functions/ingest';
import { createRulesHandler } from '../../functions/rules';
import type { Attempt, DeliveryRecord } from '../../shared/services/deliveryPorts';
import type { ChatLookalike, Window } from '../../local/lookalikes/chat';
import { startFeishuLookalike } from '../../local/lookalikes/feishu';
import { startSlackLookalike } from '../../local/lookalikes/slack';
import { startWeComLookalike } from '../../local/lookalikes/wecom';
import { ADMIN_KEY, testRuntime } from '../support/app';
import { createTestTable } from '../support/dynamo';
import type { TestTable } from '../support/dynamo';
import { bearer, call } from '../support/http';
import { createTestQueue } from '../support/queue';
import type { TestQueue } from '../support/queue';
import { startWorker, until } from '../support/worker';
import { requeueStuckDeliveries } from '../../shared/services/reconcile';

const FEISHU_SECRET = 'feishu-signing-secret-0123456789';
const THROTTLE_S = 2;

interface Provider {
  method: 'feishu' | 'wecom' | 'slack';
  windows: Window[];
  server?: ChatLookalike;
  secret?: string;
  bot: () => string;
  /** How a message's size is measured against the provider's documented limit. */
  withinLimit: (body: unknown, bytes: number) => boolean;
  /** What the look-alike answers when throttling, and what a configuration error looks like. */
  throttleCode?: number;
  configError: { answer: { status: number; body: string }; providerCode?: number };
  /** How `<!here>&*x*_` from an event id must look in the shown text. */
  escapedId: (id: string) => string;
}

const env = (windows: Window[]) => windows.map((w) => `${w.limit}/${w.windowMs / 1000}`).join(',');
const rand = () => Math.random().toString(36).slice(2, 10);
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const providers: Provider[] = [
  {
    method: 'feishu',
    windows: [
      { limit: 2, windowMs: 1_000 },
      { limit: 5, windowMs: 10_000 },
    ],
    secret: FEISHU_SECRET,
    bot: () => `hook${rand()}`,
    withinLimit: (_body, bytes) => bytes < 20 * 1024,
    throttleCode: 11232,
    configError: { answer: { status: 200, body: JSON.stringify({ code: 19024, msg: 'Key Words Not Found' }) }, providerCode: 19024 },
    escapedId: (id) => id,
  },
  {
    method: 'wecom',
    windows: [{ limit: 5, windowMs: 8_000 }],
    bot: () => `key-${rand()}`,
    withinLimit: (body) => isRecord(body) && isRecord(body.markdown) && typeof body.markdown.content === 'string' && Buffer.byteLength(body.markdown.content) <= 4096,
    throttleCode: 45009,
    configError: { answer: { status: 200, body: JSON.stringify({ errcode: 93000, errmsg: 'invalid webhook url' }) }, providerCode: 93000 },
    escapedId: (id) => id.replace(/[<>*_&!]/g, (c) => (c === '&' || c === '!' ? c : `\\${c}`)),
  },
  {
    method: 'slack',
    windows: [{ limit: 1, windowMs: 6_000 }],
    bot: () => `T${rand()}/B${rand()}/${rand()}${rand()}`,
    withinLimit: (body) =>
      isRecord(body) &&
      Array.isArray(body.blocks) &&
      body.blocks.length <= 50 &&
      body.blocks.every((b) => isRecord(b) && isRecord(b.text) && typeof b.text.text === 'string' && [...b.text.text].length <= 3000) &&
      typeof body.text === 'string',
    configError: { answer: { status: 404, body: 'channel_not_found' } },
    escapedId: (id) => id.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'),
  },
];

let table: TestTable;
let queue: TestQueue;
let rt: ReturnType<typeof testRuntime>;
let worker: ReturnType<typeof startWorker> | undefined;
let seq = 0;

const byMethod = (m: Provider['method']) => providers.find((p) => p.method === m) as Provider;
const server = (p: Provider) => p.server as ChatLookalike;

beforeAll(async () => {
  table = await createTestTable('chattargets');
  queue = await createTestQueue('deliveries', { VisibilityTimeout: '5' });
  const throttleMs = THROTTLE_S * 1000;
  byMethod('feishu').server = await startFeishuLookalike({ windows: byMethod('feishu').windows, throttleMs });
  byMethod('wecom').server = await startWeComLookalike({ windows: byMethod('wecom').windows, throttleMs });
  byMethod('slack').server = await startSlackLookalike({ windows: byMethod('slack').windows, throttleMs });
  rt = testRuntime(table, {
    env: {
      ...queue.env,
      FEISHU_WEBHOOK_PREFIXES: server(byMethod('feishu')).prefix,
      FEISHU_RATE_WINDOWS: env(byMethod('feishu').windows),
      FEISHU_THROTTLE_SECONDS: String(THROTTLE_S),
      WECOM_WEBHOOK_PREFIX: server(byMethod('wecom')).prefix,
      WECOM_RATE_WINDOWS: env(byMethod('wecom').windows),
      WECOM_THROTTLE_SECONDS: String(THROTTLE_S),
      SLACK_WEBHOOK_PREFIX: server(byMethod('slack')).prefix,
      SLACK_RATE_WINDOWS: env(byMethod('slack').windows),
      SLACK_THROTTLE_SECONDS: String(THROTTLE_S),
      DELIVERY_TIMEOUT_MS: '1000',
      RETRY_BASE_SECONDS: '1',
      RETRY_MAX_DELAY_SECONDS: '2',
      RETRY_MAX_ATTEMPTS: '4',
      MAX_RULES_PER_REGION: '1000',
    },
  });
});
afterEach(async () => {
  await worker?.stop();
  worker = undefined;
});
afterAll(async () => {
  for (const p of providers) await p.server?.close();
  await queue.close();
  await table.drop();
});

async function rule(p: Provider, instanceId: string, bot: string, extra: Record<string, unknown> = {}): Promise<string> {
  const reply = await call(createRulesHandler(rt), {
    method: 'POST',
    path: `/v1/instances/${instanceId}/rules`,
    headers: bearer(ADMIN_KEY),
    body: {
      ruleName: `${p.method}-${rand()}`,
      regionId: 'cn-hangzhou',
      eventTypes: ['cr:Artifact:ScanCompleted'],
      scope: { type: 'INSTANCE' },
      notify: { method: p.method, webhookUrl: server(p).webhookUrl(bot), ...(p.secret ? { secret: p.secret } : {}) },
      ...extra,
    },
  });
  expect(reply.status, reply.text).toBe(201);
  return (reply.json as { ruleId: string }).ruleId;
}

/** Events one second apart in event time, ingested in shuffled order. */
async function ingest(instanceId: string, count: number, idOf: (i: number) => string = (i) => `chat-${seq}-${String(i).padStart(3, '0')}-${rand()}`) {
  const events = Array.from({ length: count }, (_, i) => ({
    specversion: '1.0',
    id: idOf(i),
    source: 'acs.cr',
    type: 'cr:Artifact:ScanCompleted',
    time: new Date(Date.parse('2026-11-20T08:00:00Z') + i * 1000).toISOString(),
    data: { InstanceId: instanceId, RegionId: 'cn-hangzhou', RepoNamespaceName: 'team-a', RepoName: 'api', Tag: 'v1.0.0', ScanStatus: 'FAILED' },
  }));
  const shuffled = [...events].sort(() => Math.random() - 0.5);
  const reply = await call(createIngestHandler(rt), {
    method: 'POST',
    path: '/v1/events',
    headers: { ...bearer(ADMIN_KEY), 'content-type': 'application/cloudevents-batch+json' },
    body: shuffled,
  });
  expect(reply.status, reply.text).toBe(202);
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
const longest = (p: Provider) => Math.max(...p.windows.map((w) => w.windowMs));

describe.each(providers.map((p) => [p.method, p] as const))('%s delivery', (_method, p) => {
  it('escapes values in its markup and renders templates with the same placeholders', async () => {
    seq += 1;
    const bot = p.bot();
    const instanceId = `cri-${p.method}${String(seq).padStart(4, '0')}`;
    if (p.secret) server(p).setSecret(bot, p.secret);
    const ruleId = await rule(p, instanceId, bot, { template: '{{status}} on {{namespace}}/{{repoName}}:{{tag}} id {{eventId}}' });
    const id = `esc-<!here>&*x*_${rand()}`;
    await ingest(instanceId, 1, () => id);
    worker = startWorker(rt, queue);
    const [delivery] = await allSettled([{ eventId: id, ruleId }], 10_000);
    expect(delivery?.state).toBe('delivered');
    const [message] = server(p).messages(bot);
    expect(message?.text).toBe(`FAILED on team-a/api:v1.0.0 id ${p.escapedId(id)}`);
    if (p.method !== 'feishu') expect(message?.text).not.toContain('<!here>');
  }, 15_000);

  it('a burst of 60 events through two rules to one bot arrives whole, in event order, within two of its slowest windows, never over any window', async () => {
    seq += 1;
    const bot = p.bot();
    const instanceId = `cri-${p.method}${String(seq).padStart(4, '0')}`;
    if (p.secret) server(p).setSecret(bot, p.secret);
    const ruleA = await rule(p, instanceId, bot);
    const ruleB = await rule(p, instanceId, bot, { scope: { type: 'NAMESPACE', namespaces: ['team-a'] } });
    worker = startWorker(rt, queue, { concurrency: 4 });
    const started = Date.now();
    const events = await ingest(instanceId, 60);
    const pairs = events.flatMap((e) => [ruleA, ruleB].map((ruleId) => ({ eventId: e.id, ruleId })));
    const records = await allSettled(pairs, 2 * longest(p) + 8_000);
    expect(records.filter((r) => r.state !== 'delivered').map((r) => r.state)).toEqual([]);
    const messages = server(p).messages(bot);
    const lastArrival = Math.max(...messages.map((m) => m.at));
    expect(lastArrival - started).toBeLessThanOrEqual(2 * longest(p));
    expect(server(p).violations(bot)).toBe(0);
    for (const w of p.windows) expect(server(p).maxInWindow(bot, w.windowMs)).toBeLessThanOrEqual(w.limit);
    for (const m of messages) expect(p.withinLimit(m.body, m.bytes)).toBe(true);
    if (p.secret) expect(messages.every((m) => m.signed)).toBe(true);
    const text = messages.map((m) => m.text).join('\n');
    for (const e of events) expect(text.split(e.id).length - 1, e.id).toBe(2); // once per rule
    for (const m of messages) {
      const order = [...m.text.matchAll(/chat-\d+-(\d{3})-/g)].map((x) => Number(x[1]));
      expect(order, m.text).toEqual([...order].sort((a, b) => a - b));
    }
    expect(records.some((r) => attemptsOf(r).at(-1)?.digestId)).toBe(true);
  }, 40_000);

  it('a configuration error fails the delivery; a throttle reply pauses the bot and what waits arrives after the pause', async () => {
    seq += 1;
    const bot = p.bot();
    const instanceId = `cri-${p.method}${String(seq).padStart(4, '0')}`;
    if (p.secret) server(p).setSecret(bot, p.secret);
    const ruleId = await rule(p, instanceId, bot);
    server(p).failNext(bot, p.configError.answer);
    worker = startWorker(rt, queue);
    const [bad] = await ingest(instanceId, 1);
    const [failed] = await allSettled([{ eventId: bad?.id ?? '', ruleId }], 10_000);
    expect(failed?.state).toBe('failed');
    expect(attemptsOf(failed as DeliveryRecord)[0]).toMatchObject({ outcome: 'failed', ...(p.configError.providerCode ? { providerCode: p.configError.providerCode } : {}) });

    const throttled =
      p.method === 'slack'
        ? { status: 429, body: 'rate_limited', headers: { 'retry-after': String(THROTTLE_S) } }
        : { status: 200, body: JSON.stringify(p.method === 'feishu' ? { code: p.throttleCode, msg: 'frequency limited' } : { errcode: p.throttleCode, errmsg: 'api freq out of limit' }) };
    server(p).failNext(bot, throttled);
    const before = server(p).requests(bot);
    const [first] = await ingest(instanceId, 1);
    await until('the throttled reply', async () => server(p).requests(bot) > before || undefined, 10_000);
    const pausedAt = Date.now();
    const more = await ingest(instanceId, 3);
    const records = await allSettled([first, ...more].map((e) => ({ eventId: e?.id ?? '', ruleId })), THROTTLE_S * 1000 + 12_000);
    expect(records.every((r) => r.state === 'delivered')).toBe(true);
    expect(attemptsOf(records[0] as DeliveryRecord)[0]).toMatchObject({ outcome: 'throttled' });
    const during = server(p).messages(bot).filter((m) => m.at > pausedAt && m.at < pausedAt + THROTTLE_S * 1000 - 500);
    expect(during).toHaveLength(0);
  }, 40_000);

  it('masks the webhook on read, never returns the secret, and the rule test delivers a sample', async () => {
    seq += 1;
    const bot = p.bot();
    const instanceId = `cri-${p.method}${String(seq).padStart(4, '0')}`;
    if (p.secret) server(p).setSecret(bot, p.secret);
    const ruleId = await rule(p, instanceId, bot);
    const handler = createRulesHandler(rt);
    const read = await call(handler, { method: 'GET', path: `/v1/instances/${instanceId}/rules/${ruleId}`, headers: bearer(ADMIN_KEY) });
    expect(read.status).toBe(200);
    const notify = (read.json as { notify: { method: string; webhookUrl: string; secretSet: boolean } }).notify;
    expect(notify.method).toBe(p.method);
    expect(notify.webhookUrl).toContain(`****${bot.slice(-4)}`);
    expect(read.text).not.toContain(bot);
    if (p.secret) expect(read.text).not.toContain(p.secret);
    expect(notify.secretSet).toBe(p.secret !== undefined);
    const tested = await call(handler, { method: 'POST', path: `/v1/instances/${instanceId}/rules/${ruleId}/test`, headers: bearer(ADMIN_KEY) });
    expect(tested.status, tested.text).toBe(200);
    expect(tested.json).toMatchObject({ outcome: 'delivered', httpStatus: 200 });
    expect(server(p).messages(bot)).toHaveLength(1);
  }, 15_000);

  it('a lost flush message is recovered by the reconciler: parked mail is re-queued and delivered', async () => {
    seq += 1;
    const bot = p.bot();
    const instanceId = `cri-${p.method}${String(seq).padStart(4, '0')}`;
    if (p.secret) server(p).setSecret(bot, p.secret);
    const ruleId = await rule(p, instanceId, bot);
    const stored = await rt.rules.store.get(instanceId, ruleId);
    const botId = stored && 'botId' in stored.notify ? stored.notify.botId : '';
    expect(botId).not.toBe('');
    const pauseEnds = Date.now() + 1_000;
    await rt.deliver.chatbots.pause(botId, pauseEnds);
    // A worker whose flush messages vanish (a crash between claiming and sending).
    const lossy = { ...rt, deliver: { ...rt.deliver, queue: { sendDelayed: async () => undefined } } };
    worker = startWorker(lossy, queue);
    const events = await ingest(instanceId, 3);
    await until('all parked', async () => (await rt.deliver.chatbots.listMail(botId)).length === 3 || undefined, 10_000);
    await worker.stop();
    worker = undefined;
    await until('the pause to end', async () => Date.now() > pauseEnds || undefined, 5_000);
    expect(server(p).messages(bot)).toHaveLength(0);

    const later = () => new Date(Date.now() + (rt.config.reconcileAfterSeconds + 1) * 1000);
    const run = await requeueStuckDeliveries({ ...rt.reconcile, now: later });
    expect(run.requeued).toBeGreaterThanOrEqual(3);
    worker = startWorker(rt, queue);
    const records = await allSettled(events.map((e) => ({ eventId: e.id, ruleId })), 15_000);
    expect(records.every((r) => r.state === 'delivered')).toBe(true);
    expect(await rt.deliver.chatbots.listMail(botId)).toEqual([]);
    const text = server(p).messages(bot).map((m) => m.text).join('\n');
    for (const e of events) expect(text).toContain(e.id);
  }, 30_000);

  it('refuses webhook URLs outside its prefix allow-list', async () => {
    const reply = await call(createRulesHandler(rt), {
      method: 'POST',
      path: `/v1/instances/cri-${p.method}prefix/rules`,
      headers: bearer(ADMIN_KEY),
      body: {
        ruleName: `${p.method}-${rand()}`,
        regionId: 'cn-hangzhou',
        eventTypes: ['cr:Artifact:ScanCompleted'],
        scope: { type: 'INSTANCE' },
        notify: { method: p.method, webhookUrl: 'https://example.com/hook/abc?key=abc' },
      },
    });
    expect(reply.status).toBe(400);
    expect(reply.text).toContain('notify.webhookUrl');
  });
});
