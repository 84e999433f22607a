/** Figures 5–6: the chatbot limiter (accuracy, utilisation, cost) and delivery throughput vs raw fetch. */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { localKeySealer } from '../../shared/adapters/crypto/secretSealer';
import { dynamoChatbotStore } from '../../shared/adapters/dynamo/chatbotRepository';
import { dynamoDeliveryRepository } from '../../shared/adapters/dynamo/deliveryRepository';
import { dynamoEventStore } from '../../shared/adapters/dynamo/eventRepository';
import { dynamoRuleStore } from '../../shared/adapters/dynamo/ruleRepository';
import { createHttpSender } from '../../shared/adapters/http/httpSender';
import { sqsDelayedQueue, sqsDeliveryQueue } from '../../shared/adapters/sqs/deliveryQueue';
import { processDeliveryMessage } from '../../shared/services/deliver';
import { safetyMarginMs } from '../../shared/services/deliverySettings';
import { ingestEvents } from '../../shared/services/ingest';
import { createRuleCache } from '../../shared/services/ruleCache';
import { createRule } from '../../shared/services/rules';
import { startDingTalkServer } from '../support/dingtalkServer';
import { startReceiver } from '../support/receiver';
import type { Backends } from './harness';
import { percentile, report } from './harness';

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

export async function benchThroughput(b: Backends, quick: boolean): Promise<void> {
  const db = b.newDocumentClient();
  const sqs = new SQSClient({ endpoint: b.sqsEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'l', secretAccessKey: 'l' } });
  const receiver = await startReceiver();
  const sealer = localKeySealer(Buffer.alloc(32, 1));
  const ruleStore = dynamoRuleStore(db, b.tableName);
  const instanceId = 'cri-thru0001';
  const rule = await createRule(
    { store: ruleStore, sealer, checkHost: async () => ({ allowed: true }), settings: { maxRulesPerRegion: 100, unsupportedRegions: new Set(), dingtalkWebhookPrefix: 'https://oapi.dingtalk.com/robot/send' } },
    instanceId,
    { ruleName: 'thru', regionId: 'cn-hangzhou', eventTypes: ['cr:Artifact:BuildCompleted'], scope: { type: 'INSTANCE' }, notify: { method: 'http', url: receiver.url, secret: `whsec_${Buffer.alloc(32, 2).toString('base64')}` } },
  );
  const n = quick ? 200 : 1000;
  const concurrency = 8;
  const events = Array.from({ length: n }, (_, i) => ({
    specversion: '1.0',
    id: `thru-${Date.now()}-${i}`,
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
  let t = performance.now();
  await pool(events, concurrency, (e) => processDeliveryMessage(deps, { kind: 'delivery', eventId: e.id, ruleId: rule.ruleId }));
  const oursPerSecond = n / ((performance.now() - t) / 1000);
  t = performance.now();
  await pool(events, concurrency, async (e) => {
    const response = await fetch(receiver.url, { method: 'POST', headers: { 'content-type': 'application/cloudevents+json' }, body: JSON.stringify(e) });
    await response.text();
  });
  const rawPerSecond = n / ((performance.now() - t) / 1000);
  report({
    id: 'delivery.throughput',
    label: `deliveries/s ÷ raw fetch loop/s (${concurrency} concurrent, ${n} deliveries)`,
    value: oursPerSecond / rawPerSecond,
    unit: '×',
    goal: '≥ 0.8',
    ok: oursPerSecond / rawPerSecond >= 0.8,
    detail: { oursPerSecond, rawPerSecond },
  });
  await sender.close();
  await receiver.close();
  sqs.destroy();
  db.destroy();
}
