/**
 * SQS-triggered delivery worker. The batch's deliveries are read in one BatchGetItem,
 * then each record is processed independently and in parallel (Powertools batch
 * processing) and only the failed ones are reported back (ReportBatchItemFailures),
 * so one bad message never makes SQS redeliver its neighbours. A record that keeps
 * crashing reaches the DLQ after maxReceiveCount; the reconciler marks it `dead`.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { QueueMessage } from '../shared/services/deliveryPorts';
import { preloadDeliveries, processDeliveryMessage } from '../shared/services/deliver';
import { parseQueueMessage } from '../shared/services/queueMessage';
import type { Runtime } from '../shared/runtime';
import { createSqsClient } from '../shared/adapters/sqs/client';
import { lazyHandler } from '../shared/wiring/base';
import { deliverDeps } from '../shared/wiring/delivery';
import { createSealer } from '../shared/wiring/secrets';

function parsedOrUndefined(body: string): QueueMessage | undefined {
  try {
    return parseQueueMessage(body);
  } catch {
    return undefined; // its own record reports the error
  }
}

export function createDeliverHandler(rt: Pick<Runtime, 'logger' | 'deliver'>) {
  const processor = new BatchProcessor(EventType.SQS);
  async function deliverRecord(record: SQSRecord, preloaded: Awaited<ReturnType<typeof preloadDeliveries>>): Promise<void> {
    const message = parseQueueMessage(record.body);
    try {
      await processDeliveryMessage(rt.deliver, message, preloaded(message));
    } catch (error) {
      rt.logger.error('delivery message failed; SQS will retry it', {
        messageId: record.messageId,
        eventId: message.eventId,
        ruleId: message.ruleId,
        receiveCount: record.attributes.ApproximateReceiveCount,
        error: error instanceof Error ? `${error.name}: ${error.message}` : 'unknown',
      });
      throw error;
    }
  }
  return async function deliver(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
    // One read for the whole batch's deliveries; records are then processed in parallel.
    const messages = event.Records.map((r) => parsedOrUndefined(r.body)).filter((m) => m !== undefined);
    const preloaded = await preloadDeliveries(rt.deliver, messages);
    return processPartialResponse(event, (record: SQSRecord) => deliverRecord(record, preloaded), processor, { context });
  };
}

export const handler = lazyHandler((base) =>
  createDeliverHandler({ ...base, deliver: deliverDeps(base.config, base.db, createSealer(base.config), createSqsClient(base.config), base.logger) }),
);
