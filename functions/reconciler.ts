/**
 * Scheduled every minute. Its duties (re-queueing deliveries stuck `pending`, marking
 * DLQ'd deliveries `dead`) arrive with the ingest and delivery issues; for now it
 * records that it ran, so the schedule wiring can be seen working.
 */
import type { Runtime } from '../shared/runtime';
import { lazyHandler } from '../shared/runtime';

export function createReconcilerHandler(rt: Pick<Runtime, 'logger'>) {
  return async function reconcile(): Promise<{ requeued: number }> {
    rt.logger.info('reconciler tick', { requeued: 0 });
    return { requeued: 0 };
  };
}

export const handler = lazyHandler(createReconcilerHandler);
