/**
 * SPEC §9 "Nothing lost" on DynamoDB Local and the SQS emulator: an open delivery whose
 * wake-up message is lost is re-driven from the table by the reconciler, once per overdue
 * period, by exactly one of two overlapping runs; a late original message and a stale
 * re-drive do not send again. Plus the cost of that guarantee, as DynamoDB reports it.
 */
import { ReturnConsumedCapacity } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEventsHandler } from '../../functions/events';
import { createIngestHandler } from '../../functions/ingest';
import { createRulesHandler } from '../../functions/rules';
import { keys } from '../../shared/adapters/dynamo/shape';
import type { QueueMessage } from '../../shared/services/deliveryPorts';
import { processDeliveryMessage } from '../../shared/services/deliver';
import { requeueStuckDeliveries } from '../../shared/services/reconcile';
import { ADMIN_KEY, testRuntime } from '../support/app';
import { createTestTable } from '../support/dynamo';
import type { TestTable } from '../support/dynamo';
import { bearer, call } from '../support/http';
import { createTestQueue } from '../support/queue';
import type { TestQueue } from '../support/queue';
import { startReceiver } from '../support/receiver';
import type { Receiver } from '../support/receiver';

const INSTANCE = 'cri-relia001';
const AFTER = 2;
let table: TestTable;
let queue: TestQueue;
let receiver: Receiver;
let rt: ReturnType<typeof testRuntime>;
let ruleId: string;

beforeAll(async () => {
  table = await createTestTable('reliability');
  queue = await createTestQueue();
  receiver = await startReceiver();
  rt = testRuntime(table, { env: { ...queue.env, RETRY_BASE_SECONDS: '1', RETRY_MAX_DELAY_SECONDS: '1', RECONCILE_AFTER_SECONDS: String(AFTER) } });
  const reply = await call(createRulesHandler(rt), {
    method: 'POST',
    path: `/v1/instances/${INSTANCE}/rules`,
    headers: bearer(ADMIN_KEY),
    body: { ruleName: 'hook', regionId: 'cn-hangzhou', eventTypes: ['cr:Artifact:BuildCompleted'], scope: { type: 'INSTANCE' }, notify: { method: 'http', url: receiver.url } },
  });
  ruleId = (reply.json as { ruleId: string }).ruleId;
});

afterAll(async () => {
  await receiver.close();
  await queue.close();
  await table.drop();
});

async function ingestOne(id: string): Promise<QueueMessage> {
  const reply = await call(createIngestHandler(rt), {
    method: 'POST',
    path: '/v1/events',
    headers: bearer(ADMIN_KEY),
    body: { specversion: '1.0', id, source: 's', type: 'cr:Artifact:BuildCompleted', data: { InstanceId: INSTANCE, RegionId: 'cn-hangzhou', RepoNamespaceName: 'n', RepoName: 'r', Tag: 't', BuildStatus: 'SUCCESS' } },
  });
  expect(reply.status, reply.text).toBe(202);
  const [message] = await queue.drain();
  if (!message) throw new Error('ingest queued nothing');
  return message;
}

/** Runs the reconciler as of `at` and returns what it queued. */
async function reconcileAt(at: number, runs = 1): Promise<QueueMessage[]> {
  const deps = { ...rt.reconcile, afterSeconds: AFTER, now: () => new Date(at) };
  await Promise.all(Array.from({ length: runs }, () => requeueStuckDeliveries(deps)));
  return (await queue.drain()) as QueueMessage[];
}

const hitsOf = (deliveryId: string) => receiver.received.filter((r) => r.headers['webhook-id'] === deliveryId).length;

describe('records written before event ids were per instance', () => {
  /** Moves an event item to the key it had before (sort key `EVENT`, no instance). */
  async function makeLegacy(eventId: string): Promise<Record<string, unknown>> {
    const current = await table.db.send(new GetCommand({ TableName: table.tableName, Key: keys.event(eventId, INSTANCE), ConsistentRead: true }));
    if (!current.Item) throw new Error('no event item');
    await table.db.send(new PutCommand({ TableName: table.tableName, Item: { ...current.Item, ...keys.event(eventId, undefined) } }));
    await table.db.send(new DeleteCommand({ TableName: table.tableName, Key: keys.event(eventId, INSTANCE) }));
    return current.Item;
  }

  it('keep reading, and their deliveries are found by old messages (no instance), new ones and the reconciler', async () => {
    const events = createEventsHandler(rt);
    // An old message (no instance), for an old record, re-driven by the reconciler from its old index entry.
    const oldId = `legacy-${Date.now()}`;
    await ingestOne(oldId);
    const item = await makeLegacy(oldId);
    for (const path of [`/v1/events/${oldId}`, `/v1/instances/${INSTANCE}/events/${oldId}`]) {
      const reply = await call(events, { path, headers: bearer(ADMIN_KEY) });
      expect(reply.status, path).toBe(200);
      expect(reply.json).toMatchObject({ eventId: oldId, instanceId: INSTANCE, deliveries: [{ ruleId, state: 'pending' }] });
    }
    expect((await call(events, { path: `/v1/instances/cri-other999/events/${oldId}`, headers: bearer(ADMIN_KEY) })).status).toBe(404);
    const [requeued] = await reconcileAt(Date.parse(String(item.receivedAt)) + AFTER * 1000 + 1_000);
    expect(requeued).toMatchObject({ eventId: oldId, ruleId });
    expect(requeued?.instanceId).toBeUndefined();
    await processDeliveryMessage(rt.deliver, { eventId: oldId, ruleId, ...(requeued?.deliveryId ? { deliveryId: requeued.deliveryId } : {}) });
    expect(await rt.deliver.deliveries.get(oldId, ruleId)).toMatchObject({ state: 'delivered', instanceId: INSTANCE });
    // A new message (with its instance) for an old record: found under the old key.
    const mixedId = `legacy-new-message-${Date.now()}`;
    const message = await ingestOne(mixedId);
    await makeLegacy(mixedId);
    await processDeliveryMessage(rt.deliver, message);
    const trace = await call(events, { path: `/v1/instances/${INSTANCE}/events/${mixedId}`, headers: bearer(ADMIN_KEY) });
    expect(trace.json).toMatchObject({ deliveries: [{ state: 'delivered' }] });
  });
});

describe('the reconciler re-drives open deliveries from the table', () => {
  it('a retry whose message was lost: re-driven once per overdue period, by one of two overlapping runs; late and stale messages do not send', async () => {
    const message = await ingestOne(`lost-retry-${Date.now()}`);
    expect(message.instanceId).toBe(INSTANCE);
    receiver.script({ status: 503 });
    const lost: QueueMessage[] = [];
    // The retry message is "lost": recorded here, never sent (a purge, a crash, a hand delete).
    await processDeliveryMessage({ ...rt.deliver, queue: { sendDelayed: async (m) => void lost.push(m) } }, message);
    const retrying = await rt.deliver.deliveries.get(message.eventId ?? '', ruleId, INSTANCE);
    expect(retrying?.state).toBe('retrying');
    expect(lost).toEqual([expect.objectContaining({ expect: 1, instanceId: INSTANCE })]);
    const due = Date.parse(retrying?.nextAttemptAt ?? '');

    // Not overdue yet (due, but not by a whole RECONCILE_AFTER_SECONDS): nothing.
    expect(await reconcileAt(due + 500)).toEqual([]);
    // Overdue: two overlapping runs, one re-drive.
    const first = await reconcileAt(due + AFTER * 1000 + 1_000, 2);
    expect(first).toEqual([{ eventId: message.eventId, instanceId: INSTANCE, ruleId, deliveryId: message.deliveryId, expect: 1, redrive: 1 }]);
    // Same period again: nothing; one period later, still not attempted: re-driven again.
    expect(await reconcileAt(due + AFTER * 1000 + 2_000)).toEqual([]);
    const second = await reconcileAt(due + 2 * AFTER * 1000 + 2_000);
    expect(second).toEqual([expect.objectContaining({ expect: 1, redrive: 2 })]);

    const before = hitsOf(message.deliveryId ?? '');
    // The original retry message, late, and the superseded first re-drive: neither sends.
    await processDeliveryMessage(rt.deliver, lost[0] ?? {});
    await processDeliveryMessage(rt.deliver, first[0] ?? {});
    expect(hitsOf(message.deliveryId ?? '')).toBe(before);
    // The latest re-drive continues the retry chain.
    await processDeliveryMessage(rt.deliver, second[0] ?? {});
    const done = await rt.deliver.deliveries.get(message.eventId ?? '', ruleId, INSTANCE);
    expect(done?.state).toBe('delivered');
    expect((done?.attempts as { n: number }[]).map((a) => a.n)).toEqual([1, 2]);
    expect(hitsOf(message.deliveryId ?? '')).toBe(before + 1);
    // Closed: out of the index, never re-driven again.
    expect(await reconcileAt(due + 10 * AFTER * 1000)).toEqual([]);
  });

  it('a delivery re-driven past retention, or past its re-drive budget without the worker acting on it, ends dead with the reason', async () => {
    const message = await ingestOne(`stuck-${Date.now()}`);
    receiver.script({ status: 503 });
    await processDeliveryMessage({ ...rt.deliver, queue: { sendDelayed: async () => undefined } }, message);
    const retrying = await rt.deliver.deliveries.get(message.eventId ?? '', ruleId, INSTANCE);
    const expiresAt = Date.parse(retrying?.expiresAt ?? '');
    expect(await reconcileAt(expiresAt + AFTER * 1000 + 1_000)).toEqual([]);
    const dead = await rt.deliver.deliveries.get(message.eventId ?? '', ruleId, INSTANCE);
    expect(dead).toMatchObject({ state: 'dead', deadReason: expect.stringContaining('before retention') });

    // Re-driven again and again, and never acted on (its messages keep vanishing): 20 times, then dead.
    const ignored = await ingestOne(`ignored-${Date.now()}`);
    receiver.script({ status: 503 });
    await processDeliveryMessage({ ...rt.deliver, queue: { sendDelayed: async () => undefined } }, ignored);
    const open = await rt.deliver.deliveries.get(ignored.eventId ?? '', ruleId, INSTANCE);
    let at = Date.parse(open?.nextAttemptAt ?? '');
    let redriven = 0;
    for (let period = 0; period < 25; period += 1) {
      at += AFTER * 1000 + 1_000;
      redriven += (await reconcileAt(at)).length;
    }
    expect(redriven).toBe(20);
    expect(await rt.deliver.deliveries.get(ignored.eventId ?? '', ruleId, INSTANCE)).toMatchObject({ state: 'dead', deadReason: expect.stringContaining('re-queue limit') });
  });

  it('what keeping an open delivery in the index costs: the index write units on top of the write that was made anyway', async () => {
    // DynamoDB Local reports consumed capacity per table and per index like DynamoDB does.
    const message = await ingestOne(`cost-${Date.now()}`);
    const key = keys.delivery(message.eventId ?? '', ruleId);
    const write = async (gsi2sk: string | undefined) => {
      const out = await table.db.send(
        new UpdateCommand({
          TableName: table.tableName,
          Key: key,
          UpdateExpression: gsi2sk ? 'SET #state = :s, gsi2pk = :p, gsi2sk = :k' : 'SET #state = :s REMOVE gsi2pk, gsi2sk',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':s': gsi2sk ? 'retrying' : 'delivered', ...(gsi2sk ? { ':p': 'PENDING#0', ':k': gsi2sk } : {}) },
          ReturnConsumedCapacity: ReturnConsumedCapacity.INDEXES,
        }),
      );
      return { table: out.ConsumedCapacity?.Table?.CapacityUnits ?? 0, index: out.ConsumedCapacity?.GlobalSecondaryIndexes?.gsi2?.CapacityUnits ?? 0 };
    };
    const enter = await write('2026-01-01T00:00:00.000Z#e#r');
    const move = await write('2026-01-01T00:01:00.000Z#e#r');
    const leave = await write(undefined);
    // Entering: one index write; moving to a new due time: delete + put; leaving: one delete.
    expect({ enter: enter.index, move: move.index, leave: leave.index }).toEqual({ enter: 1, move: 2, leave: 1 });
    expect(enter.table).toBeGreaterThanOrEqual(1);
  });
});
