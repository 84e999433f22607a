/**
 * Runs the real `deliver` handler the way Lambda's SQS event source does: the local
 * poller (serverless.yml's batch size/window, ReportBatchItemFailures) against the SQS
 * emulator, invoking the handler in-process with several concurrent pollers.
 */
import type { SQSEvent } from 'aws-lambda';
import { createDeliverHandler } from '../../functions/deliver';
import { startPoller } from '../../local/poller';
import { readSqsTrigger } from '../../local/serviceDefinition';
import type { Runtime } from '../../shared/runtime';
import { lambdaContext } from './http';
import type { TestQueue } from './queue';

export function startWorker(rt: Pick<Runtime, 'logger' | 'deliver'>, queue: TestQueue, opts: { concurrency?: number; batchingWindowSeconds?: number } = {}) {
  const handler = createDeliverHandler(rt);
  const trigger = { ...readSqsTrigger('deliver'), maximumBatchingWindowSeconds: opts.batchingWindowSeconds ?? 0 };
  return startPoller({
    sqs: queue.sqs,
    invoke: async (event) => ({ payload: await handler(event as unknown as SQSEvent, lambdaContext()) }),
    queueUrl: queue.queueUrl,
    queueArn: 'arn:aws:sqs:us-east-1:000000000000:deliveries',
    trigger,
    region: 'us-east-1',
    concurrency: opts.concurrency ?? 4,
    log: () => undefined,
  });
}

export async function until<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs: number): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
