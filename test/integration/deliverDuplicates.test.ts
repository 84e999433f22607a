/** Duplicate and stale messages: a retry chain cannot fork, and closed deliveries never leave a mailbox again. */
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createIngestHandler } from '../../functions/ingest';
import { createRulesHandler } from '../../functions/rules';
import { processDeliveryMessage } from '../../shared/services/deliver';
import type { QueueMessage } from '../../shared/services/deliveryPorts';
import { flushChatbot } from '../../shared/services/deliverDingTalk';
import { botIdOf } from '../../shared/services/rules';
import { ADMIN_KEY, testRuntime } from '../support/app';
import { startDingTalkServer } from '../support/dingtalkServer';
import type { DingTalkServer } from '../support/dingtalkServer';
import { createTestTable } from '../support/dynamo';
import type { TestTable } from '../support/dynamo';
import { bearer, call } from '../support/http';
import { captureOutput } from '../support/logs';
import { createTestQueue } from '../support/queue';
import type { TestQueue } from '../support/queue';
import { startReceiver } from '../support/receiver';
import type { Receiver } from '../support/receiver';

let table: TestTable;
let queue: TestQueue;
let receiver: Receiver;
let ding: DingTalkServer;
let rt: ReturnType<typeof testRuntime>;

beforeAll(async () => {
  table = await createTestTable('dups');
  queue = await createTestQueue();
  receiver = await startReceiver();
  ding = await startDingTalkServer({ limit: 20, windowMs: 60_000, throttleMs: 60_000 });
  rt = testRuntime(table, { env: { ...queue.env, DINGTALK_WEBHOOK_PREFIX: ding.prefix, RETRY_BASE_SECONDS: '60', RETRY_MAX_DELAY_SECONDS: '60' } });
});
afterAll(async () => {
  await ding.close();
  await receiver.close();
  await queue.close();
  await table.drop();
});

async function setup(instanceId: string, notify: Record<string, unknown>) {
  const rule = await call(createRulesHandler(rt), {
    method: 'POST',
    path: `/v1/instances/${instanceId}/rules`,
    headers: bearer(ADMIN_KEY),
    body: { ruleName: 'r', regionId: 'cn-hangzhou', eventTypes: ['cr:Artifact:BuildCompleted'], scope: { type: 'INSTANCE' }, notify },
  });
  const ruleId = (rule.json as { ruleId: string }).ruleId;
  const eventId = `dup-${instanceId}-${Date.now()}`;
  await call(createIngestHandler(rt), {
    method: 'POST',
    path: '/v1/events',
    headers: { ...bearer(ADMIN_KEY), 'content-type': 'application/json' },
    body: { specversion: '1.0', id: eventId, source: 's', type: 'cr:Artifact:BuildCompleted', data: { InstanceId: instanceId, RegionId: 'cn-hangzhou', RepoNamespaceName: 'n', RepoName: 'r', Tag: 't', BuildStatus: 'SUCCESS' } },
  });
  await queue.drain();
  return { ruleId, eventId };
}

it('a retrying HTTP delivery is attempted only by its own retry message, never by a duplicate', async () => {
  const { ruleId, eventId } = await setup('cri-dups0001', { method: 'http', url: receiver.url });
  receiver.script({ status: 500 });
  const message = { kind: 'delivery' as const, eventId, ruleId };
  // Record the delayed retry message instead of waiting its 60 s delay out.
  const scheduled: QueueMessage[] = [];
  const deps = { ...rt.deliver, queue: { sendDelayed: async (m: QueueMessage) => void scheduled.push(m) } };
  await processDeliveryMessage(deps, message); // attempt 1 → retrying, retry message with expect 1
  expect((await rt.deliver.deliveries.get(eventId, ruleId))?.state).toBe('retrying');
  expect(scheduled).toEqual([expect.objectContaining({ eventId, ruleId, expect: 1 })]);
  const before = receiver.received.length;
  await processDeliveryMessage(deps, message); // a duplicate of the original: ignored
  await processDeliveryMessage(deps, { ...message, expect: 0 }); // a stale copy: ignored
  expect(receiver.received.length).toBe(before);
  await processDeliveryMessage(deps, { ...message, expect: 1 }); // its own chain: attempted
  const delivery = await rt.deliver.deliveries.get(eventId, ruleId);
  expect(delivery?.state).toBe('delivered');
  expect((delivery?.attempts as { n: number }[]).map((a) => a.n)).toEqual([1, 2]);
});

it('mail of a delivery that closed meanwhile is dropped from the mailbox, not sent', async () => {
  const token = `dup${Date.now()}`;
  const { ruleId, eventId } = await setup('cri-dups0002', { method: 'dingtalk', webhookUrl: ding.webhookUrl(token) });
  const botId = botIdOf(new URL(ding.webhookUrl(token)));
  await rt.deliver.chatbots.pause(botId, Date.now() + 60_000);
  await processDeliveryMessage(rt.deliver, { kind: 'delivery', eventId, ruleId }); // parked (paused)
  expect(await rt.deliver.chatbots.listMail(botId)).toHaveLength(1);
  const parked = await rt.deliver.deliveries.get(eventId, ruleId);
  if (!parked) throw new Error('no delivery');
  await rt.deliver.deliveries.transition(parked, { state: 'dead', deadReason: 'test' });
  await processDeliveryMessage(rt.deliver, { kind: 'delivery', eventId, ruleId }); // finds it closed
  expect(await rt.deliver.chatbots.listMail(botId)).toEqual([]);
  await flushChatbot(rt.deliver, botId);
  expect(ding.requests(token)).toBe(0);
});

it('the rule test route on an HTTP rule sends a signed sample and reports what the endpoint answered', async () => {
  const secret = `whsec_${Buffer.alloc(32, 4).toString('base64')}`;
  const { ruleId } = await setup('cri-dups0003', { method: 'http', url: receiver.url, secret });
  const test = () => call(createRulesHandler(rt), { method: 'POST', path: `/v1/instances/cri-dups0003/rules/${ruleId}/test`, headers: bearer(ADMIN_KEY) });
  const ok = await test();
  expect(ok.status).toBe(200);
  expect(ok.json).toEqual({ outcome: 'delivered', httpStatus: 200, durationMs: expect.any(Number) });
  const sample = receiver.received.at(-1);
  const verified = new Webhook(secret).verify(sample?.body ?? '', {
    'webhook-id': String(sample?.headers['webhook-id']),
    'webhook-timestamp': String(sample?.headers['webhook-timestamp']),
    'webhook-signature': String(sample?.headers['webhook-signature']),
  });
  expect(verified).toMatchObject({ specversion: '1.0', type: 'cr:Artifact:BuildCompleted' });
  receiver.script({ status: 404 });
  expect((await test()).json).toEqual({ outcome: 'failed', httpStatus: 404, durationMs: expect.any(Number), error: 'HTTP 404' });
});

it('deliveries are counted in the embedded metric format (SPEC §8)', async () => {
  const { ruleId, eventId } = await setup('cri-dups0004', { method: 'http', url: receiver.url });
  const output = captureOutput();
  try {
    await processDeliveryMessage(rt.deliver, { kind: 'delivery', eventId, ruleId });
  } finally {
    output.restore();
  }
  const metrics = output.lines().split('\n').filter((l) => l.includes('"_aws"')).map((l) => JSON.parse(l) as Record<string, number>);
  expect(metrics).toContainEqual(expect.objectContaining({ DeliveriesDelivered: 1 }));
});
