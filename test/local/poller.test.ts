/**
 * The local event source mapping against the SQS emulator through the real SDK, with
 * serverless.yml's trigger settings and a real Powertools partial-batch handler.
 * (The Lambda Invoke hop to serverless-offline is exercised by the e2e suite.)
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startPoller } from '../../local/poller';
import { readSqsTrigger } from '../../local/serviceDefinition';
import { startSqsEmulator } from '../../local/sqs/server';
import type { SqsEmulator } from '../../local/sqs/server';

let emulator: SqsEmulator;
let sqs: SQSClient;

beforeAll(async () => {
  emulator = await startSqsEmulator({});
  sqs = new SQSClient({ endpoint: emulator.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'l', secretAccessKey: 'l' } });
});
afterAll(async () => {
  sqs.destroy();
  await emulator.close();
});

async function until(check: () => Promise<boolean>, ms: number) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('condition not met in time');
}

it('invokes in batches of serverless.yml size, deletes successes, redrives reported failures to the DLQ', async () => {
  const trigger = readSqsTrigger('deliver');
  expect(trigger).toMatchObject({ batchSize: 10, reportBatchItemFailures: true });
  const dlq = await sqs.send(new CreateQueueCommand({ QueueName: 'p-dlq' }));
  const queue = await sqs.send(
    new CreateQueueCommand({
      QueueName: 'p',
      Attributes: {
        // Longer than the 1 s batching window plus an invocation, or successes could
        // reappear before they are deleted (at-least-once, as in AWS).
        VisibilityTimeout: '4',
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: emulator.queueArn('p-dlq'), maxReceiveCount: 2 }),
      },
    }),
  );
  const bodies = Array.from({ length: 25 }, (_, i) => (i % 5 === 0 ? `fail-${i}` : `ok-${i}`));
  for (let i = 0; i < bodies.length; i += 10) {
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queue.QueueUrl,
        Entries: bodies.slice(i, i + 10).map((b, j) => ({ Id: String(j), MessageBody: b })),
      }),
    );
  }

  const batchSizes: number[] = [];
  const handled = new Map<string, number>();
  const processor = new BatchProcessor(EventType.SQS);
  const handler = async (event: SQSEvent) =>
    processPartialResponse(event, async (record: SQSRecord) => {
      handled.set(record.body, (handled.get(record.body) ?? 0) + 1);
      if (record.body.startsWith('fail')) throw new Error('boom');
    }, processor);

  const poller = startPoller({
    sqs,
    invoke: async (event) => {
      batchSizes.push(event.Records.length);
      return { payload: await handler(event as unknown as SQSEvent) };
    },
    queueUrl: queue.QueueUrl ?? '',
    queueArn: emulator.queueArn('p'),
    trigger,
    region: 'us-east-1',
    log: () => undefined,
  });
  try {
    const count = async (url: string | undefined) => {
      const out = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }));
      return Number(out.Attributes?.ApproximateNumberOfMessages) + Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible);
    };
    await until(async () => (await count(queue.QueueUrl)) === 0 && (await count(dlq.QueueUrl)) === 5, 20_000);
  } finally {
    await poller.stop();
  }

  expect(Math.max(...batchSizes)).toBeLessThanOrEqual(trigger.batchSize);
  for (const body of bodies) expect(handled.get(body), body).toBe(body.startsWith('fail') ? 2 : 1);
  const dead = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlq.QueueUrl, MaxNumberOfMessages: 10 }));
  expect((dead.Messages ?? []).map((m) => m.Body).sort()).toEqual(bodies.filter((b) => b.startsWith('fail')).sort());
});
