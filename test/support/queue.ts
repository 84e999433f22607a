/** The SQS emulator with a delivery queue, and a helper to drain what ingest sent. */
import { CreateQueueCommand, DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { startSqsEmulator } from '../../local/sqs/server';
import type { SqsEmulator } from '../../local/sqs/server';

export interface TestQueue {
  emulator: SqsEmulator;
  sqs: SQSClient;
  queueUrl: string;
  env: Record<string, string>;
  drain(waitSeconds?: number): Promise<{ eventId: string; ruleId: string; deliveryId: string }[]>;
  close(): Promise<void>;
}

export async function createTestQueue(name = 'deliveries', attributes: Record<string, string> = {}): Promise<TestQueue> {
  const emulator = await startSqsEmulator({});
  const sqs = new SQSClient({ endpoint: emulator.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'l', secretAccessKey: 'l' } });
  const { QueueUrl = '' } = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  return {
    emulator,
    sqs,
    queueUrl: QueueUrl,
    env: { SQS_ENDPOINT: emulator.endpoint, QUEUE_URL: QueueUrl },
    async drain(waitSeconds = 0) {
      const bodies: { eventId: string; ruleId: string; deliveryId: string }[] = [];
      for (;;) {
        const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: bodies.length === 0 ? waitSeconds : 0 }));
        const messages = out.Messages ?? [];
        if (messages.length === 0) return bodies;
        for (const m of messages) bodies.push(JSON.parse(m.Body ?? '{}') as { eventId: string; ruleId: string; deliveryId: string });
        await sqs.send(new DeleteMessageBatchCommand({ QueueUrl, Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? '' })) }));
      }
    },
    async close() {
      sqs.destroy();
      await emulator.close();
    },
  };
}
