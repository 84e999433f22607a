/**
 * Fan-out to the delivery queue: one message per delivery, SendMessageBatch in groups
 * of ten sent in parallel, entries that failed retried a few times. Whatever is still
 * unsent is returned: those deliveries stay `pending` and the reconciler re-queues them.
 */
import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { DeliveryMessage, DeliveryQueue } from '../../services/eventStore';
import type { DelayedQueue, QueueMessage } from '../../services/deliveryPorts';
import { linearBackoff, retrying, TRY_AGAIN } from '../retry';

/** SQS's DelaySeconds tops out at 900; longer waits are chained via `notBefore`. */
export const MAX_SQS_DELAY_SECONDS = 900;

export function sqsDelayedQueue(sqs: Pick<SQSClient, 'send'>, queueUrl: string, now: () => number = Date.now): DelayedQueue {
  return {
    async sendDelayed(message: QueueMessage, delaySeconds: number) {
      const delay = Math.max(0, Math.ceil(delaySeconds));
      const body: QueueMessage = delay > MAX_SQS_DELAY_SECONDS ? { ...message, notBefore: now() + delay * 1000 } : message;
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: queueUrl,
          MessageBody: JSON.stringify(body),
          DelaySeconds: Math.min(delay, MAX_SQS_DELAY_SECONDS),
        }),
      );
    },
  };
}

const BATCH = 10;
const ATTEMPTS = 3;
/** 25 ms, then 50 ms. */
const SEND_BACKOFF = linearBackoff(25);

export function sqsDeliveryQueue(sqs: Pick<SQSClient, 'send'>, queueUrl: string, log?: (msg: string, fields: Record<string, unknown>) => void): DeliveryQueue {
  async function sendGroup(group: DeliveryMessage[]): Promise<DeliveryMessage[]> {
    let pending = group;
    await retrying(ATTEMPTS, SEND_BACKOFF, async (n) => {
      try {
        const out = await sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: pending.map((m, i) => ({ Id: String(i), MessageBody: JSON.stringify(m) })),
          }),
        );
        const failed = new Set((out.Failed ?? []).map((f) => Number(f.Id)));
        pending = pending.filter((_, i) => failed.has(i));
      } catch (error) {
        log?.('SendMessageBatch failed', { attempt: n + 1, error: error instanceof Error ? error.name : 'unknown' });
      }
      return pending.length > 0 ? TRY_AGAIN : undefined;
    });
    return pending;
  }

  return {
    async send(messages) {
      const groups: DeliveryMessage[][] = [];
      for (let i = 0; i < messages.length; i += BATCH) groups.push(messages.slice(i, i + BATCH));
      const unsent = await Promise.all(groups.map(sendGroup));
      return unsent.flat();
    },
  };
}
