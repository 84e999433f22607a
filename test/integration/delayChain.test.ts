/** Waits longer than SQS's 900 s maximum are chained: DelaySeconds 900 plus a notBefore the worker honours. */
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sqsDelayedQueue } from '../../shared/adapters/sqs/deliveryQueue';
import { processDeliveryMessage } from '../../shared/services/deliver';
import { testRuntime } from '../support/app';
import { createTestTable } from '../support/dynamo';
import type { TestTable } from '../support/dynamo';
import { createTestQueue } from '../support/queue';
import type { TestQueue } from '../support/queue';

let table: TestTable;
let queue: TestQueue;
beforeAll(async () => {
  table = await createTestTable('chain');
  queue = await createTestQueue();
});
afterAll(async () => {
  await queue.close();
  await table.drop();
});

it('a 2000 s wait leaves as a 900 s delayed message carrying notBefore; early receipt re-chains the rest', async () => {
  const now = 1_800_000_000_000;
  const delayed = sqsDelayedQueue(queue.sqs, queue.queueUrl, () => now);
  await delayed.sendDelayed({ kind: 'delivery', eventId: 'e', ruleId: 'r', deliveryId: 'd' }, 2_000);
  // The emulator honours DelaySeconds: nothing is visible now.
  expect((await queue.sqs.send(new ReceiveMessageCommand({ QueueUrl: queue.queueUrl }))).Messages ?? []).toEqual([]);
  const queued = queue.emulator.store.getQueueAttributes('deliveries', ['ApproximateNumberOfMessagesDelayed']);
  expect(Number(queued.ApproximateNumberOfMessagesDelayed)).toBe(1);

  // A worker receiving it 900 s later (still 1100 s early) sends it on again rather than acting.
  const rt = testRuntime(table, { env: queue.env });
  const sent: { delay: number; notBefore?: number }[] = [];
  const deps = {
    ...rt.deliver,
    now: () => now + 900_000,
    queue: { sendDelayed: async (m: { notBefore?: number }, delay: number) => void sent.push({ delay, ...(m.notBefore !== undefined ? { notBefore: m.notBefore } : {}) }) },
  };
  await processDeliveryMessage(deps, { kind: 'delivery', eventId: 'e', ruleId: 'r', deliveryId: 'd', notBefore: now + 2_000_000 });
  expect(sent).toEqual([{ delay: 1_100, notBefore: now + 2_000_000 }]);
});
