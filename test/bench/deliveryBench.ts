/** Figures 5–6: the chatbot limiters (accuracy, utilisation, cost; every chat provider) and delivery throughput vs raw fetch. */
import { dynamoRuleHealthStore } from '../../shared/adapters/dynamo/ruleHealthRepository';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Context, SQSRecord } from 'aws-lambda';
import { createDeliverHandler } from '../../functions/deliver';
import { logger } from '../../shared/observability/logger';
import { SQSClient } from '@aws-sdk/client-sqs';
import { localKeySealer } from '../../shared/adapters/crypto/secretSealer';
import { dynamoChatbotStore } from '../../shared/adapters/dynamo/chatbotRepository';
import { dynamoDeliveryRepository } from '../../shared/adapters/dynamo/deliveryRepository';
import { dynamoEventStore } from '../../shared/adapters/dynamo/eventRepository';
import { dynamoRuleStore } from '../../shared/adapters/dynamo/ruleRepository';
import { createHttpSender } from '../../shared/adapters/http/httpSender';
import { sqsDelayedQueue, sqsDeliveryQueue } from '../../shared/adapters/sqs/deliveryQueue';
import { chatMarginMs, safetyMarginMs } from '../../shared/services/deliverySettings';
import { CHAT_TARGETS } from '../../shared/targets/registry';
import type { ChatLookalike, Window } from '../../local/lookalikes/chat';
import { startFeishuLookalike } from '../../local/lookalikes/feishu';
import { startSlackLookalike } from '../../local/lookalikes/slack';
import { startWeComLookalike } from '../../local/lookalikes/wecom';
import { ingestEvents } from '../../shared/services/ingest';
import { createRuleCache } from '../../shared/services/ruleCache';
import { createRule } from '../../shared/services/rules';
import { startDingTalkServer } from '../support/dingtalkServer';
import { startReceiver } from '../support/receiver';
import type { Backends } from './harness';
import { percentile, report } from './harness';

const BATCH_SIZE = 10;
const silentLogger = logger.createChild({ logLevel: 'SILENT' });
const benchContext = { awsRequestId: 'bench', functionName: 'deliver', getRemainingTimeInMillis: () => 30_000 } as unknown as Context;

async function pool<T>(items: T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const item = items[next++] as T;
        await work(item);
      }
    }),
  );
}

export async function benchLimiter(b: Backends, quick: boolean): Promise<void> {
  const db = b.newDocumentClient();
  const store = dynamoChatbotStore(db, b.tableName, 3600);
  const limit = 20;
  const windowMs = quick ? 3_000 : 6_000;
  const windows = quick ? 3 : 5;
  const margin = safetyMarginMs(windowMs);
  const ding = await startDingTalkServer({ limit, windowMs, throttleMs: 60_000 });
  const sender = createHttpSender({ allowPrivate: true });
  const botId = `bench-bot-${Date.now()}`;
  const token = 'benchtoken';
  const started = Date.now();
  const deadline = started + windows * windowMs;
  let sends = 0;
  // Four workers competing for one bot, each sending as fast as slots allow.
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (Date.now() < deadline) {
        const grant = await store.acquire(botId, Date.now(), { limit, holdMs: 5_000 + windowMs + margin });
        if (!grant.ok) {
          await new Promise((r) => setTimeout(r, Math.max(5, Math.min(grant.retryAt, deadline) - Date.now())));
          continue;
        }
        await sender.post({ url: ding.webhookUrl(token), body: JSON.stringify({ msgtype: 'markdown', markdown: { title: 't', text: 'x' } }), headers: { 'content-type': 'application/json' }, timeoutMs: 5_000 });
        await store.settle(botId, grant.slotId, Date.now() + windowMs + margin);
        sends += 1;
      }
    }),
  );
  const elapsed = Date.now() - started;
  const accuracy = ding.maxInWindow(token, windowMs) / limit;
  const ideal = (limit * elapsed) / windowMs;
  const utilisation = sends / ideal;
  report({ id: 'limiter.accuracy', label: `max sends in any ${windowMs / 1000} s window ÷ limit (4 workers, ${windows} windows)`, value: accuracy, unit: '×', goal: '≤ 1.00', ok: accuracy <= 1, detail: { violations: ding.violations(token), sends } });
  report({ id: 'limiter.utilisation', label: 'sends ÷ limit × elapsed/window', value: utilisation, unit: '×', goal: '≥ 0.90', ok: utilisation >= 0.9, detail: { marginMs: margin } });

  // Cost of one slot acquisition vs one GetItem, interleaved.
  const acquireMs: number[] = [];
  const getMs: number[] = [];
  for (let i = 0; i < (quick ? 100 : 400); i += 1) {
    let t = performance.now();
    await store.acquire(`cost-${i}`, Date.now(), { limit, holdMs: 1_000 });
    acquireMs.push(performance.now() - t);
    t = performance.now();
    await db.send(new GetCommand({ TableName: b.tableName, Key: { pk: `BOT#cost-${i}`, sk: 'STATE' }, ConsistentRead: true }));
    getMs.push(performance.now() - t);
  }
  acquireMs.sort((x, y) => x - y);
  getMs.sort((x, y) => x - y);
  report({
    id: 'limiter.cost',
    label: 'slot acquisition p50 ÷ GetItem p50',
    value: percentile(acquireMs, 50) / percentile(getMs, 50),
    unit: '×',
    detail: { acquireP50ms: percentile(acquireMs, 50), getItemP50ms: percentile(getMs, 50) },
  });
  await sender.close();
  await ding.close();
  db.destroy();
}

interface Throughput {
  oursPerSecond: number;
  rawPerSecond: number;
  fetchPlusUpdateItemPerSecond: number;
}

/**
 * Deliveries/s through the real deliver handler vs a raw fetch loop and vs fetch + one
 * conditional UpdateItem (the floor of any delivery that records its attempt), all at
 * the same number of deliveries in flight, against a receiver answering after `delayMs`.
 */
async function measureThroughput(b: Backends, n: number, delayMs: number): Promise<Throughput & { concurrency: number }> {
  const db = b.newDocumentClient();
  const sqs = new SQSClient({ endpoint: b.sqsEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'l', secretAccessKey: 'l' } });
  const receiver = await startReceiver('/hook', { delayMs });
  const sealer = localKeySealer(Buffer.alloc(32, 1));
  const ruleStore = dynamoRuleStore(db, b.tableName);
  const instanceId = `cri-thru${delayMs}x${Date.now().toString(36)}`;
  const rule = await createRule(
    { store: ruleStore, health: dynamoRuleHealthStore(db, b.tableName), sealer, checkHost: async () => ({ allowed: true }), settings: { maxRulesPerRegion: 100, unsupportedRegions: new Set(), dingtalkWebhookPrefix: 'https://oapi.dingtalk.com/robot/send' } },
    instanceId,
    { ruleName: 'thru', regionId: 'cn-hangzhou', eventTypes: ['cr:Artifact:BuildCompleted'], scope: { type: 'INSTANCE' }, notify: { method: 'http', url: receiver.url, secret: `whsec_${Buffer.alloc(32, 2).toString('base64')}` } },
  );
  const invocations = 2;
  const concurrency = invocations * BATCH_SIZE;
  const events = Array.from({ length: n }, (_, i) => ({
    specversion: '1.0',
    id: `thru-${delayMs}-${Date.now()}-${i}`,
    source: 'acs.cr',
    type: 'cr:Artifact:BuildCompleted',
    data: { InstanceId: instanceId, RegionId: 'cn-hangzhou', RepoNamespaceName: 'ns', RepoName: 'r', Tag: `v${i}`, BuildStatus: 'SUCCESS' },
  }));
  const ingestDeps = { events: dynamoEventStore(db, b.tableName), queue: sqsDeliveryQueue(sqs, b.queueUrl), rules: createRuleCache({ store: ruleStore }), retentionSeconds: 3600 };
  for (let i = 0; i < n; i += 100) await ingestEvents(ingestDeps, { kind: 'admin' }, events.slice(i, i + 100));
  const sender = createHttpSender({ allowPrivate: true });
  const deps = {
    deliveries: dynamoDeliveryRepository(db, b.tableName),
    chatbots: dynamoChatbotStore(db, b.tableName, 3600),
    queue: sqsDelayedQueue(sqs, b.queueUrl),
    sender,
    sealer,
    settings: { retry: { baseSeconds: 5, maxDelaySeconds: 900, maxAttempts: 100 }, timeoutMs: 5_000, userAgent: 'bench', dingtalk: { limit: 20, windowMs: 60_000, throttleMs: 600_000, marginMs: 600 } },
  };
  // Ours: the real deliver handler, fed SQS-sized batches (serverless.yml: batchSize 10)
  // by `invocations` concurrent pollers, as Lambda's event source does.
  const handler = createDeliverHandler({ logger: silentLogger, deliver: deps });
  const batches: SQSRecord[][] = [];
  for (let i = 0; i < n; i += BATCH_SIZE) {
    batches.push(
      events.slice(i, i + BATCH_SIZE).map((e, k) => ({ messageId: `m${i + k}`, body: JSON.stringify({ kind: 'delivery', eventId: e.id, ruleId: rule.ruleId }), attributes: { ApproximateReceiveCount: '1' } }) as unknown as SQSRecord),
    );
  }
  let t = performance.now();
  await pool(batches, invocations, async (records) => {
    const reply = await handler({ Records: records }, benchContext);
    if (reply.batchItemFailures.length > 0) throw new Error('bench deliveries failed');
  });
  const oursPerSecond = n / ((performance.now() - t) / 1000);
  if (receiver.received.length < n) throw new Error(`receiver got ${receiver.received.length} of ${n}`);
  const post = async (e: (typeof events)[number]) => {
    const response = await fetch(receiver.url, { method: 'POST', headers: { 'content-type': 'application/cloudevents+json' }, body: JSON.stringify(e) });
    await response.text();
  };
  t = performance.now();
  await pool(events, concurrency, post);
  const rawPerSecond = n / ((performance.now() - t) / 1000);
  t = performance.now();
  await pool(events, concurrency, async (e) => {
    await post(e);
    await db.send(
      new UpdateCommand({
        TableName: b.tableName,
        Key: { pk: `RAWDELIVERY#${e.id}`, sk: 'STATE' },
        UpdateExpression: 'SET #s = :s, attempts = list_append(if_not_exists(attempts, :empty), :a)',
        ConditionExpression: 'attribute_not_exists(#s) OR #s = :p',
        ExpressionAttributeNames: { '#s': 'state' },
        ExpressionAttributeValues: { ':s': 'delivered', ':p': 'pending', ':empty': [], ':a': [{ n: 1, at: new Date().toISOString() }] },
      }),
    );
  });
  const fetchPlusUpdateItemPerSecond = n / ((performance.now() - t) / 1000);
  await sender.close();
  await receiver.close();
  sqs.destroy();
  db.destroy();
  return { oursPerSecond, rawPerSecond, fetchPlusUpdateItemPerSecond, concurrency };
}

export async function benchThroughput(b: Backends, quick: boolean): Promise<void> {
  const n = quick ? 200 : 1000;
  const instant = await measureThroughput(b, n, 0);
  const ratio = instant.oursPerSecond / instant.rawPerSecond;
  report({
    id: 'delivery.throughput',
    label: `deliveries/s ÷ raw fetch loop/s (${instant.concurrency} in flight, ${n} deliveries, instant receiver)`,
    value: ratio,
    unit: '×',
    goal: '≥ 0.8',
    ok: ratio >= 0.8,
    detail: {
      oursPerSecond: instant.oursPerSecond,
      rawPerSecond: instant.rawPerSecond,
      fetchPlusUpdateItemPerSecond: instant.fetchPlusUpdateItemPerSecond,
      oursVsFetchPlusUpdateItem: Math.round((instant.oursPerSecond / instant.fetchPlusUpdateItemPerSecond) * 100) / 100,
    },
  });
  // Context, not a goal: a receiver that takes 20 ms, closer to a real webhook endpoint.
  const slow = await measureThroughput(b, n, 20);
  report({
    id: 'delivery.throughput_20ms',
    label: `deliveries/s ÷ raw fetch loop/s (${slow.concurrency} in flight, receiver answering in 20 ms)`,
    value: slow.oursPerSecond / slow.rawPerSecond,
    unit: '×',
    detail: { oursPerSecond: slow.oursPerSecond, rawPerSecond: slow.rawPerSecond, fetchPlusUpdateItemPerSecond: slow.fetchPlusUpdateItemPerSecond },
  });
}

/**
 * The same limiter figures for every other chat provider: four workers compete for one
 * bot with the provider's windows (minutes scaled to seconds), sending real signed
 * bodies to its look-alike, which measures every window at the receiver.
 */
export async function benchChatLimiters(b: Backends, quick: boolean): Promise<void> {
  const db = b.newDocumentClient();
  const store = dynamoChatbotStore(db, b.tableName, 3600);
  const sender = createHttpSender({ allowPrivate: true });
  const cases: { method: 'feishu' | 'wecom' | 'slack'; windows: Window[]; start: (w: Window[]) => Promise<ChatLookalike>; secret?: string }[] = [
    {
      method: 'feishu',
      windows: quick
        ? [
            { limit: 5, windowMs: 1_000 },
            { limit: 10, windowMs: 3_000 },
          ]
        : [
            { limit: 5, windowMs: 1_000 },
            { limit: 20, windowMs: 6_000 },
          ],
      start: (windows) => startFeishuLookalike({ windows }),
      secret: 'bench-feishu-secret',
    },
    { method: 'wecom', windows: [{ limit: 20, windowMs: quick ? 3_000 : 6_000 }], start: (windows) => startWeComLookalike({ windows }) },
    { method: 'slack', windows: [{ limit: 1, windowMs: 1_000 }], start: (windows) => startSlackLookalike({ windows }) },
  ];
  for (const c of cases) {
    const server = await c.start(c.windows);
    const target = CHAT_TARGETS[c.method];
    const bot = c.method === 'slack' ? 'TBENCH/BBENCH/benchbot' : 'benchbot';
    if (c.secret) server.setSecret(bot, c.secret);
    const sorted = [...c.windows].sort((x, y) => y.windowMs - x.windowMs);
    const main = sorted[0] as Window;
    const shorter = sorted.slice(1).map((w) => ({ limit: w.limit, offsetMs: main.windowMs - w.windowMs }));
    const margin = chatMarginMs(main.windowMs);
    const botId = `bench-${c.method}-${Date.now()}`;
    const started = Date.now();
    const deadline = started + (quick ? 3 : 5) * main.windowMs * (c.method === 'slack' ? 3 : 1);
    let sends = 0;
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (Date.now() < deadline) {
          const grant = await store.acquire(botId, Date.now(), { limit: main.limit, holdMs: 5_000 + main.windowMs + margin, ...(shorter.length > 0 ? { shorter } : {}) });
          if (!grant.ok) {
            await new Promise((r) => setTimeout(r, Math.max(5, Math.min(grant.retryAt, deadline) - Date.now())));
            continue;
          }
          const request = target.request(server.webhookUrl(bot), { title: 'bench', text: `send ${sends}` }, { secret: c.secret, nowMs: Date.now(), msgUuid: `b${sends}` });
          const result = await sender.post({ url: request.url, body: request.body, headers: { 'content-type': 'application/json' }, timeoutMs: 5_000 });
          await store.settle(botId, grant.slotId, Date.now() + main.windowMs + margin);
          if (result.kind === 'response' && target.classify({ status: result.status, body: result.body, headers: result.headers }).outcome === 'delivered') sends += 1;
        }
      }),
    );
    const elapsed = Date.now() - started;
    const accuracy = Math.max(...c.windows.map((w) => server.maxInWindow(bot, w.windowMs) / w.limit));
    const ideal = Math.min(...c.windows.map((w) => (w.limit * elapsed) / w.windowMs));
    const utilisation = sends / ideal;
    const shape = c.windows.map((w) => `${w.limit}/${w.windowMs / 1000}s`).join('+');
    report({ id: `limiter.${c.method}.accuracy`, label: `${c.method}: max sends in any window ÷ its limit (${shape}, 4 workers)`, value: accuracy, unit: '×', goal: '≤ 1.00', ok: accuracy <= 1, detail: { violations: server.violations(bot), sends } });
    report({ id: `limiter.${c.method}.utilisation`, label: `${c.method}: sends ÷ what the tightest window allows`, value: utilisation, unit: '×', goal: '≥ 0.90', ok: utilisation >= 0.9, detail: { marginMs: margin } });
    await server.close();
  }
  await sender.close();
  db.destroy();
}
