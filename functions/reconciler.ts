/**
 * Scheduled every minute: re-queues deliveries stuck `pending` (outbox pattern), so an
 * accepted event's deliveries are never lost between the DynamoDB write and the send.
 */
import type { Runtime } from '../shared/runtime';
import { lazyHandler } from '../shared/runtime';
import { requeueStuckDeliveries } from '../shared/services/reconcile';

export function createReconcilerHandler(rt: Pick<Runtime, 'logger' | 'reconcile'>) {
  return async function reconcile(): Promise<{ found: number; requeued: number; unsent: number }> {
    const result = await requeueStuckDeliveries(rt.reconcile);
    rt.logger.info('reconciler run', result);
    return result;
  };
}

export const handler = lazyHandler(createReconcilerHandler);
