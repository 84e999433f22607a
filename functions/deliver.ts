/**
 * SQS-triggered delivery worker. Each record is handled independently and failures
 * are reported per item (ReportBatchItemFailures), so one bad delivery never makes
 * SQS redeliver its neighbours. The delivery logic itself arrives with the delivery
 * issue; until then every record fails and, after maxReceiveCount, lands in the DLQ
 * rather than being silently dropped.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { Runtime } from '../shared/runtime';
import { lazyHandler } from '../shared/runtime';

export function createDeliverHandler(rt: Pick<Runtime, 'logger'>) {
  const processor = new BatchProcessor(EventType.SQS);
  async function deliverRecord(record: SQSRecord): Promise<void> {
    rt.logger.warn('delivery not available yet; leaving message for retry/DLQ', { messageId: record.messageId });
    throw new Error('delivery is not implemented in this version');
  }
  return async function deliver(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
    return processPartialResponse(event, deliverRecord, processor, { context });
  };
}

export const handler = lazyHandler(createDeliverHandler);
