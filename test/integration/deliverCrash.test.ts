/** A message that crashes the worker every time: SQS redrives it to the DLQ, the reconciler marks the delivery dead. */
import { CreateQueueCommand, GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createIngestHandler } from '../../functions/ingest';
import { createReconcilerHandler } from '../../functions/reconciler';
import { createRulesHandler } from '../../functions/rules';
import { sqsDeadLetterQueue } from '../../shared/adapters/sqs/deadLetters';
import { CRASH_REASON } from '../../shared/services/reconcile';
import { ADMIN_KEY, testRuntime } from '../support/app';
import { createTestTable } from '../support/dynamo';
import type { TestTable } from '../support/dynamo';
import { bearer, call } from '../support/http';
import { createTestQueue } from '../support/queue';
import type { TestQueue } from '../support/queue';
import { startWorker, until } from '../support/worker';

let table: TestTable;
let queue: TestQueue;

beforeAll(async () => {
  table = await createTestTable('crash');
  queue = await createTestQueue('crash-main-probe');
});
afterAll(async () => {
  await queue.close();
  await table.drop();
});

it('after maxReceiveCount crashes the message is in the DLQ and the delivery ends dead with the reason', async () => {
  const { QueueUrl: dlqUrl = '' } = await queue.sqs.send(new CreateQueueCommand({ QueueName: 'crash-dlq' }));
  const { QueueUrl: mainUrl = '' } = await queue.sqs.send(
    new CreateQueueCommand({
      QueueName: 'crash-main',
      Attributes: { VisibilityTimeout: '1', RedrivePolicy: JSON.stringify({ deadLetterTargetArn: queue.emulator.queueArn('crash-dlq'), maxReceiveCount: 2 }) },
    }),
  );
  const env = { SQS_ENDPOINT: queue.emulator.endpoint, QUEUE_URL: mainUrl, DEAD_LETTER_QUEUE_URL: dlqUrl };
  const rt = testRuntime(table, { env });
  rt.reconcile.deadLetters = { queue: sqsDeadLetterQueue(queue.sqs, dlqUrl), deliveries: rt.deliver.deliveries, chatbots: rt.deliver.chatbots };
  const rule = await call(createRulesHandler(rt), {
    method: 'POST',
    path: '/v1/instances/cri-crash001/rules',
    headers: bearer(ADMIN_KEY),
    body: { ruleName: 'crashy', regionId: 'cn-hangzhou', eventTypes: ['cr:Artifact:SigningCompleted'], scope: { type: 'INSTANCE' }, notify: { method: 'http', url: 'http://127.0.0.1:9/x' } },
  });
  const ruleId = (rule.json as { ruleId: string }).ruleId;
  const event = { specversion: '1.0', id: `crash-${Date.now()}`, source: 's', type: 'cr:Artifact:SigningCompleted', data: { InstanceId: 'cri-crash001', RegionId: 'cn-hangzhou', RepoNamespaceName: 'ns', RepoName: 'r', Tag: 't', SignStatus: 'SUCCESS' } };
  await call(createIngestHandler(rt), { method: 'POST', path: '/v1/events', headers: { ...bearer(ADMIN_KEY), 'content-type': 'application/json' }, body: event });

  rt.deliver.sender = { post: async () => Promise.reject(new Error('worker bug')), close: async () => undefined };
  const worker = startWorker(rt, { ...queue, queueUrl: mainUrl });
  try {
    await until(
      'the message to reach the DLQ',
      async () => {
        const out = await queue.sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['ApproximateNumberOfMessages'] }));
        return Number(out.Attributes?.ApproximateNumberOfMessages) > 0 || undefined;
      },
      15_000,
    );
  } finally {
    await worker.stop();
  }
  const before = await rt.deliver.deliveries.get(event.id, ruleId);
  expect(before?.state).toBe('pending');
  const result = await createReconcilerHandler(rt)();
  expect(result.buried).toBe(1);
  const delivery = await rt.deliver.deliveries.get(event.id, ruleId);
  expect(delivery?.state).toBe('dead');
  expect(delivery?.deadReason).toBe(CRASH_REASON);
}, 30_000);
