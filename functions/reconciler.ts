/**
 * Scheduled every minute: re-drives every open delivery whose next attempt is overdue
 * (never queued, or its message lost), so an accepted event's deliveries are never lost;
 * and drains the DLQ, marking deliveries whose messages crashed the worker `dead`.
 */
import type { Runtime } from '../shared/runtime';
import { createSqsClient } from '../shared/adapters/sqs/client';
import { lazyHandler } from '../shared/wiring/base';
import { reconcileDeps } from '../shared/wiring/ingest';
import { reconcile as reconcileAll } from '../shared/services/reconcile';

export function createReconcilerHandler(rt: Pick<Runtime, 'logger' | 'reconcile'>) {
  return async function reconcile(): Promise<{ found: number; requeued: number; unsent: number; buried: number }> {
    const result = await reconcileAll(rt.reconcile);
    rt.logger.info('reconciler run', result);
    return result;
  };
}

export const handler = lazyHandler((base) =>
  createReconcilerHandler({ ...base, reconcile: reconcileDeps(base.config, base.db, createSqsClient(base.config)) }),
);
