/** Reads and removes messages from the dead-letter queue (the reconciler's DLQ consumer). */
import { DeleteMessageCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSClient } from '@aws-sdk/client-sqs';

import type { DeadLetterQueue } from '../../services/deadLetterPort';

export type { DeadLetter, DeadLetterQueue } from '../../services/deadLetterPort';

export function sqsDeadLetterQueue(sqs: Pick<SQSClient, 'send'>, queueUrl: string): DeadLetterQueue {
  return {
    async receive(max) {
      const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: Math.min(10, max), WaitTimeSeconds: 0, VisibilityTimeout: 60 }));
      return (out.Messages ?? []).map((m) => ({ body: m.Body ?? '', receiptHandle: m.ReceiptHandle ?? '' }));
    },
    async remove(letter) {
      await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: letter.receiptHandle }));
    },
  };
}
