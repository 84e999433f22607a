/**
 * The outbox reconciler: deliveries recorded `pending` but never queued (the process
 * died, or SQS failed, between write and send) are re-queued once they have waited
 * longer than `afterSeconds`. Idempotent: a claim moves the delivery's place in the
 * pending index, so the next run waits another full threshold before trying again.
 */
import type { DeliveryQueue, PendingIndex } from './eventStore';

export interface ReconcileDeps {
  pending: PendingIndex;
  queue: DeliveryQueue;
  afterSeconds: number;
  batchLimit?: number;
  now?: () => Date;
}

export async function requeueStuckDeliveries(deps: ReconcileDeps): Promise<{ found: number; requeued: number; unsent: number }> {
  const now = deps.now?.() ?? new Date();
  const cutoff = new Date(now.getTime() - deps.afterSeconds * 1000).toISOString();
  const stuck = await deps.pending.stuckSince(cutoff, deps.batchLimit ?? 500);
  const claimed = await Promise.all(
    stuck.map(async (p) => {
      const claim = await deps.pending.claim(p, now.toISOString());
      return claim ? { eventId: p.eventId, ruleId: p.ruleId, deliveryId: claim.deliveryId } : undefined;
    }),
  );
  const messages = claimed.filter((m) => m !== undefined);
  const unsent = messages.length > 0 ? await deps.queue.send(messages) : [];
  return { found: stuck.length, requeued: messages.length - unsent.length, unsent: unsent.length };
}
