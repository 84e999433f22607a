/**
 * Bulk redelivery (SPEC §13): every `failed`/`dead` delivery of an instance (optionally of
 * one rule, optionally within a time range of when it reached that state) is reopened and
 * queued again, read from the state index (gsi4) in bounded batches — each batch reopened,
 * then sent, before the next is read. Targets' limits still hold: the queued deliveries go
 * through the same worker (chatbot mail waits for send slots and leaves as digests).
 */
import { deliveryIdOf } from '../domain/deliveryId';
import { ruleNotFound } from '../domain/errors';
import { currentTargets } from './currentTargets';
import type { RuleStore } from './ruleStore';
import type { DeliveryMessage, DeliveryQueue } from './eventStore';
import type { HistoryStore, PageKey } from './historyPorts';

export const REDELIVER_BATCH = 100;
/** Reopen writes in flight at once within a batch. */
const REOPEN_CONCURRENCY = 10;

export interface BulkRedeliverRequest {
  ruleId?: string | undefined;
  states: ('failed' | 'dead')[];
  since?: string | undefined;
  until?: string | undefined;
}

/**
 * A named rule that does not exist (any more) on the instance is 404 `RuleNotFound`;
 * without one, deliveries of deleted rules are skipped (left as they are): a deleted
 * rule's target is sent nothing again.
 */
export async function bulkRedeliver(
  deps: { store: Pick<HistoryStore, 'stateEntries' | 'reopen'>; rules: Pick<RuleStore, 'get'>; queue: DeliveryQueue; now?: () => Date },
  instanceId: string,
  request: BulkRedeliverRequest,
): Promise<{ requeued: number }> {
  const targetOf = currentTargets(deps.rules, instanceId);
  if (request.ruleId !== undefined && !(await targetOf(request.ruleId))) throw ruleNotFound(request.ruleId);
  const range = { since: request.since && new Date(request.since).toISOString(), until: request.until && new Date(request.until).toISOString() };
  let requeued = 0;
  for (const state of [...new Set(request.states)]) {
    let start: PageKey | undefined;
    do {
      const page = await deps.store.stateEntries(instanceId, state, { limit: REDELIVER_BATCH, start, ...range });
      start = page.next;
      const named = page.entries.filter((e) => e.ruleId !== '' && (request.ruleId === undefined || e.ruleId === request.ruleId));
      const targets = await Promise.all(named.map((e) => targetOf(e.ruleId)));
      const wanted = named.flatMap((e, n) => {
        const target = targets[n];
        return target ? [{ ...e, target }] : [];
      });
      const nowIso = (deps.now?.() ?? new Date()).toISOString();
      const batch: DeliveryMessage[] = [];
      for (let i = 0; i < wanted.length; i += REOPEN_CONCURRENCY) {
        const slice = wanted.slice(i, i + REOPEN_CONCURRENCY);
        const reopened = await Promise.all(slice.map((e) => deps.store.reopen(e.eventId, e.ruleId, instanceId, nowIso, e.target)));
        slice.forEach((e, n) => {
          if (reopened[n]) batch.push({ eventId: e.eventId, instanceId, ruleId: e.ruleId, deliveryId: deliveryIdOf(e.eventId, e.ruleId) });
        });
      }
      // Reopened deliveries are in the pending index: one whose message is not sent is re-driven by the reconciler.
      if (batch.length > 0) await deps.queue.send(batch);
      requeued += batch.length;
    } while (start);
  }
  return { requeued };
}
