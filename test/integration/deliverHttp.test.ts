/** SPEC §6 HTTP/HTTPS delivery end to end: ingest → SQS emulator → deliver handler → loopback receiver. */
import { Webhook } from 'standardwebhooks';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createIngestHandler } from '../../functions/ingest';
import { createRulesHandler } from '../../functions/rules';
import { createHttpSender } from '../../shared/adapters/http/httpSender';
import type { Attempt, DeliveryRecord } from '../../shared/services/deliveryPorts';
import { ADMIN_KEY, testRuntime } from '../support/app';
import { createTestTable } from '../support/dynamo';
import type { TestTable } from '../support/dynamo';
import { bearer, call } from '../support/http';
import { createTestQueue } from '../support/queue';
import type { TestQueue } from '../support/queue';
import { startReceiver } from '../support/receiver';
import type { Receiver } from '../support/receiver';
import { startWorker, until } from '../support/worker';
import type { SQSEvent } from 'aws-lambda';
import { createDeliverHandler } from '../../functions/deliver';
import { lambdaContext } from '../support/http';

const SECRET = `whsec_${Buffer.alloc(32, 5).toString('base64')}`;
let table: TestTable;
let queue: TestQueue;
let receiver: Receiver;
let rt: ReturnType<typeof testRuntime>;
let worker: ReturnType<typeof startWorker> | undefined;
let seq = 0;

const settings = { RETRY_BASE_SECONDS: '1', RETRY_MAX_DELAY_SECONDS: '2', RETRY_MAX_ATTEMPTS: '3', DELIVERY_TIMEOUT_MS: '600' };

beforeAll(async () => {
  table = await createTestTable('deliverhttp');
  queue = await createTestQueue('deliveries', { VisibilityTimeout: '2' });
  receiver = await startReceiver();
  rt = testRuntime(table, { env: { ...queue.env, ...settings } });
});
afterEach(async () => {
  await worker?.stop();
  worker = undefined;
});
afterAll(async () => {
  await receiver.close();
  await queue.close();
  await table.drop();
});

/** One instance per rule: the ingest rule cache (fresh for 4 s) then sees each new rule at once. */
const instanceOf = (n: number) => `cri-dlv${String(n).padStart(4, '0')}`;

async function ruleFor(url: string, secret?: string, runtime = rt): Promise<string> {
  seq += 1;
  const reply = await call(createRulesHandler(runtime), {
    method: 'POST',
    path: `/v1/instances/${instanceOf(seq)}/rules`,
    headers: bearer(ADMIN_KEY),
    body: {
      ruleName: `hook-${seq}`,
      regionId: 'cn-hangzhou',
      eventTypes: ['cr:Artifact:BuildCompleted'],
      scope: { type: 'REPO', namespace: 'ns', repoNames: [`repo${seq}`] },
      notify: { method: 'http', url, ...(secret ? { secret } : {}) },
    },
  });
  expect(reply.status, reply.text).toBe(201);
  return (reply.json as { ruleId: string }).ruleId;
}

async function ingest(repo: string, runtime = rt) {
  const event = {
    specversion: '1.0',
    id: `evt-${Date.now()}-${Math.random().toString(36).slice(2)}`,
    source: 'acs.cr',
    type: 'cr:Artifact:BuildCompleted',
    data: { InstanceId: instanceOf(Number(repo.slice(4))), RegionId: 'cn-hangzhou', RepoNamespaceName: 'ns', RepoName: repo, Tag: 'v1', BuildStatus: 'SUCCESS' },
  };
  const reply = await call(createIngestHandler(runtime), { method: 'POST', path: '/v1/events', headers: { ...bearer(ADMIN_KEY), 'content-type': 'application/cloudevents+json' }, body: event });
  expect((reply.json as { matchedRuleIds: string[] }).matchedRuleIds).toHaveLength(1);
  return event;
}

const settled = (eventId: string, ruleId: string, timeoutMs = 15_000) =>
  until(
    'a final state',
    async () => {
      const d = await rt.deliver.deliveries.get(eventId, ruleId);
      return d && ['delivered', 'failed', 'dead'].includes(d.state) ? d : undefined;
    },
    timeoutMs,
  );

const attemptsOf = (d: DeliveryRecord) => d.attempts as Attempt[];
const forEvent = (id: string) => receiver.received.filter((r) => r.body.includes(id));

describe('HTTP delivery', () => {
  it('delivers the CloudEvent with Standard Webhooks headers the official verifier accepts', async () => {
    const ruleId = await ruleFor(receiver.url, SECRET);
    const event = await ingest(`repo${seq}`);
    worker = startWorker(rt, queue);
    const delivery = await settled(event.id, ruleId);
    expect(delivery.state).toBe('delivered');
    expect(attemptsOf(delivery)).toEqual([expect.objectContaining({ n: 1, outcome: 'delivered', httpStatus: 200 })]);
    expect(delivery.deliveredAt).toBeDefined();
    const [req] = forEvent(event.id);
    expect(req?.headers['content-type']).toBe('application/cloudevents+json');
    expect(req?.headers['user-agent']).toMatch(/^registry-event-notifications\/\d/);
    expect(req?.headers['webhook-id']).toBe(delivery.deliveryId);
    expect(JSON.parse(req?.body ?? '{}')).toEqual(event);
    const verified = new Webhook(SECRET).verify(req?.body ?? '', {
      'webhook-id': String(req?.headers['webhook-id']),
      'webhook-timestamp': String(req?.headers['webhook-timestamp']),
      'webhook-signature': String(req?.headers['webhook-signature']),
    });
    expect(verified).toEqual(event);
  });

  it('retries 5xx with backoff inside the bounds, keeping one webhook-id, then delivers', async () => {
    const ruleId = await ruleFor(receiver.url);
    receiver.script({ status: 500 }, { status: 503 });
    const event = await ingest(`repo${seq}`);
    worker = startWorker(rt, queue);
    const delivery = await settled(event.id, ruleId);
    expect(attemptsOf(delivery).map((a) => [a.n, a.outcome, a.httpStatus])).toEqual([
      [1, 'retry', 500],
      [2, 'retry', 503],
      [3, 'delivered', 200],
    ]);
    const requests = forEvent(event.id);
    expect(new Set(requests.map((r) => r.headers['webhook-id']))).toEqual(new Set([delivery.deliveryId]));
    for (let i = 1; i < requests.length; i += 1) {
      const gap = (requests[i]?.at ?? 0) - (requests[i - 1]?.at ?? 0);
      expect(gap).toBeGreaterThanOrEqual(900); // ≥ 1 s (full jitter, floor of 1 s)
      expect(gap).toBeLessThanOrEqual(2_000 + 1_500); // ≤ cap + queue/poll slack
    }
  }, 20_000);

  it('honours Retry-After (capped at RETRY_MAX_DELAY_SECONDS)', async () => {
    const ruleId = await ruleFor(receiver.url);
    receiver.script({ status: 429, headers: { 'retry-after': '2' } });
    const event = await ingest(`repo${seq}`);
    worker = startWorker(rt, queue);
    const delivery = await settled(event.id, ruleId);
    expect(delivery.state).toBe('delivered');
    const [first, second] = forEvent(event.id);
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(1_900);
  }, 20_000);

  it('never follows redirects (failed) and fails other 4xx without retrying', async () => {
    const target = await startReceiver('/elsewhere');
    const redirectRule = await ruleFor(receiver.url);
    receiver.script({ status: 302, headers: { location: target.url } });
    const redirected = await ingest(`repo${seq}`);
    worker = startWorker(rt, queue);
    // One at a time: the receiver's scripted replies go by arrival order.
    const a = await settled(redirected.id, redirectRule);
    const badRule = await ruleFor(receiver.url);
    receiver.script({ status: 404 });
    const bad = await ingest(`repo${seq}`);
    const b = await settled(bad.id, badRule);
    expect(a.state).toBe('failed');
    expect(attemptsOf(a)[0]).toMatchObject({ outcome: 'failed', httpStatus: 302, error: 'redirect not followed (HTTP 302)' });
    expect(target.received).toHaveLength(0);
    expect(b.state).toBe('failed');
    expect(attemptsOf(b)).toHaveLength(1);
    await target.close();
  });

  it('timeouts are retried until the attempt cap, then dead', async () => {
    const ruleId = await ruleFor(receiver.url);
    receiver.script({ status: 200, delayMs: 1_500 }, { status: 200, delayMs: 1_500 }, { status: 200, delayMs: 1_500 });
    const event = await ingest(`repo${seq}`);
    worker = startWorker(rt, queue);
    const delivery = await settled(event.id, ruleId, 20_000);
    expect(delivery.state).toBe('dead');
    expect(attemptsOf(delivery).map((a) => a.outcome)).toEqual(['retry', 'retry', 'retry']);
    expect(attemptsOf(delivery)[0]?.error).toMatch(/timed out/);
    expect(delivery.deadReason).toMatch(/3 attempts/);
  }, 25_000);

  it('refuses at connect time a name that resolves to loopback when private targets are off (DNS rebinding)', async () => {
    const strict = testRuntime(table, { env: { ...queue.env, ...settings, ALLOW_PRIVATE_TARGETS: 'false' }, lookup: async () => ['93.184.216.34'] });
    const port = new URL(receiver.url).port;
    const ruleId = await ruleFor(`http://rebind.example.test:${port}/hook`, undefined, strict);
    strict.deliver.sender = createHttpSender({ allowPrivate: false, lookup: async () => [{ address: '127.0.0.1', family: 4 }] });
    const before = receiver.received.length;
    const event = await ingest(`repo${seq}`, strict);
    worker = startWorker(strict, queue);
    const delivery = await settled(event.id, ruleId);
    expect(delivery.state).toBe('failed');
    expect(attemptsOf(delivery)[0]?.error).toMatch(/not allowed/);
    expect(receiver.received.length).toBe(before);
  });

  it('a worker crash after sending: redelivered by SQS, delivered exactly once in the trace', async () => {
    const ruleId = await ruleFor(receiver.url);
    const event = await ingest(`repo${seq}`);
    const crashing = testRuntime(table, { env: { ...queue.env, ...settings } });
    const real = crashing.deliver.sender;
    let crashed = false;
    crashing.deliver.sender = {
      post: async (request) => {
        const result = await real.post(request);
        if (!crashed) {
          crashed = true;
          throw new Error('worker died after the request left');
        }
        return result;
      },
      close: () => real.close(),
    };
    worker = startWorker(crashing, queue);
    const delivery = await settled(event.id, ruleId, 15_000);
    expect(crashed).toBe(true);
    expect(delivery.state).toBe('delivered');
    expect(attemptsOf(delivery).filter((a) => a.outcome === 'delivered')).toHaveLength(1);
    const requests = forEvent(event.id);
    expect(requests.length).toBeGreaterThanOrEqual(2);
    expect(new Set(requests.map((r) => r.headers['webhook-id'])).size).toBe(1);
  }, 20_000);

  it('a queue batch reads all its deliveries with one BatchGetItem, then delivers each', async () => {
    const ruleId = await ruleFor(receiver.url);
    const events = [];
    for (let i = 0; i < 6; i += 1) events.push(await ingest(`repo${seq}`));
    await queue.drain();
    const commands: string[] = [];
    rt.db.middlewareStack.add((next, context) => async (args) => {
      // Which item kind an UpdateItem wrote: a delivery's state, or its rule's health (SPEC §13).
      const key: unknown = (args.input as { Key?: unknown }).Key;
      const sk = typeof key === 'object' && key !== null && 'sk' in key ? String(key.sk) : '';
      commands.push(`${String(context.commandName)}${sk.startsWith('HEALTH#') ? ':health' : ''}`);
      return next(args);
    }, { step: 'initialize', name: 'batchReadCounter' });
    try {
      const records = events.map((e, i) => ({
        messageId: `m${i}`,
        body: JSON.stringify({ kind: 'delivery', eventId: e.id, ruleId }),
        attributes: { ApproximateReceiveCount: '1' },
      }));
      const reply = await createDeliverHandler(rt)({ Records: records } as unknown as SQSEvent, lambdaContext());
      expect(reply.batchItemFailures).toEqual([]);
    } finally {
      rt.db.middlewareStack.remove('batchReadCounter');
    }
    expect(commands.filter((c) => c === 'BatchGetItemCommand')).toHaveLength(1);
    expect(commands.filter((c) => c === 'UpdateItemCommand')).toHaveLength(6);
    // Rule health: one write per attempt (a slot restarted once per rule and hour, and a
    // lost race on that restart, cost a retry); one cheap suspension check per delivery.
    expect(commands.filter((c) => c === 'UpdateItemCommand:health').length).toBeGreaterThanOrEqual(6);
    expect(commands.filter((c) => c === 'GetItemCommand:health')).toHaveLength(6);
    for (const e of events) {
      expect(forEvent(e.id)).toHaveLength(1);
      expect((await rt.deliver.deliveries.get(e.id, ruleId))?.state).toBe('delivered');
    }
  });
});
