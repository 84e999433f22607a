/**
 * The reconciler (SPEC §9: the table is the source of truth, a queue message only a
 * wake-up call): every open delivery overdue by more than `afterSeconds` — never queued
 * (the process died, or SQS failed, between write and send), or whose retry, deferral or
 * flush message was lost (a crash, a purge, a re-created queue) — is re-driven. Idempotent:
 * a claim moves the delivery's place in the pending index, so it is re-driven at most
 * once per such period, by one of any number of overlapping runs.
 */
import type { DeadLetterQueue } from './deadLetterPort';
import type { ChatbotStore } from './chatbotPorts';
import type { DeliveryRepository, QueueMessage } from './deliveryPorts';
import { isChatNotify } from './ruleStore';
import type { DeliveryQueue, PendingIndex } from './eventStore';

export interface ReconcileDeps {
  pending: PendingIndex;
  queue: DeliveryQueue;
  afterSeconds: number;
  /** Entries read per round (spread over the index's shards). */
  batchLimit?: number;
  /** How long one run may keep working through a backlog. */
  budgetMs?: number;
  now?: () => Date;
  /** The DLQ consumer: deliveries whose messages crashed the worker repeatedly end `dead`. */
  deadLetters?: { queue: DeadLetterQueue; deliveries: DeliveryRepository; chatbots: ChatbotStore };
}

export const CRASH_REASON = 'the delivery worker failed on this delivery repeatedly (its message reached the dead-letter queue)';

function parse(body: string): QueueMessage | undefined {
  try {
    const value = JSON.parse(body) as unknown;
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as QueueMessage) : undefined;
  } catch {
    return undefined;
  }
}

/** Drains the DLQ: each dead letter's delivery (or a crashed flush's mailbox) is marked `dead`. */
export async function buryDeadLetters(deps: NonNullable<ReconcileDeps['deadLetters']>, max = 100): Promise<number> {
  let buried = 0;
  while (buried < max) {
    const letters = await deps.queue.receive(max - buried);
    if (letters.length === 0) break;
    for (const letter of letters) {
      const message = parse(letter.body);
      if (message?.kind === 'flush' && message.botId) {
        const mail = await deps.chatbots.listMail(message.botId);
        for (const m of mail) {
          const delivery = await deps.deliveries.get(m.eventId, m.ruleId, m.instanceId);
          if (delivery) await deps.deliveries.transition(delivery, { state: 'dead', deadReason: CRASH_REASON });
        }
        await deps.chatbots.deleteMail(message.botId, mail.map((m) => m.deliveryId));
      } else if (message?.eventId && message.ruleId) {
        const delivery = await deps.deliveries.get(message.eventId, message.ruleId, message.instanceId);
        if (delivery) await deps.deliveries.transition(delivery, { state: 'dead', deadReason: CRASH_REASON });
        if (delivery && isChatNotify(delivery.notify)) await deps.chatbots.deleteMail(delivery.notify.botId, [delivery.deliveryId]);
      }
      await deps.queue.remove(letter);
      buried += 1;
    }
  }
  return buried;
}

export async function reconcile(deps: ReconcileDeps): Promise<{ found: number; requeued: number; unsent: number; buried: number }> {
  const requeue = await requeueStuckDeliveries(deps);
  const buried = deps.deadLetters ? await buryDeadLetters(deps.deadLetters) : 0;
  return { ...requeue, buried };
}

/** Claims run this many at a time, so a backlog does not become a burst of writes. */
const CLAIM_CONCURRENCY = 16;
/** A run keeps going round by round while there is a backlog, for at most this long (the function times out at 60 s). */
const RUN_BUDGET_MS = 40_000;

async function mapLimited<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await work(items[i] as T);
      }
    }),
  );
  return results;
}

/**
 * Re-queues what waited longer than `afterSeconds`, round after round while a backlog
 * remains (each round reads the oldest entries of every shard), until the backlog is
 * gone, a round finds only entries it has already handled (the index is eventually
 * consistent), or the run's time budget is spent.
 */
export async function requeueStuckDeliveries(deps: ReconcileDeps): Promise<{ found: number; requeued: number; unsent: number }> {
  const now = deps.now?.() ?? new Date();
  const cutoff = new Date(now.getTime() - deps.afterSeconds * 1000).toISOString();
  const limit = deps.batchLimit ?? 500;
  const startedAt = Date.now();
  const seen = new Set<string>();
  const totals = { found: 0, requeued: 0, unsent: 0 };
  for (;;) {
    const stuck = (await deps.pending.stuckSince(cutoff, limit)).filter((p) => {
      const key = `${p.botId ?? ''}|${p.eventId}|${p.ruleId ?? ''}|${p.queuedAt}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    if (stuck.length === 0) break;
    const claimed = await mapLimited(stuck, CLAIM_CONCURRENCY, (p) => deps.pending.claim(p, now.toISOString()));
    const messages = claimed.flat();
    const unsent = messages.length > 0 ? await deps.queue.send(messages) : [];
    totals.found += stuck.length;
    totals.requeued += messages.length - unsent.length;
    totals.unsent += unsent.length;
    if (Date.now() - startedAt > (deps.budgetMs ?? RUN_BUDGET_MS)) break;
  }
  return totals;
}
