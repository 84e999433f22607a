/**
 * The delivery worker's use case: one queue message → at most one attempt, a trace
 * entry, and either a final state or a new delayed message (retries and deferrals are
 * new messages, so SQS's receive count only grows when the worker itself crashes).
 */
import { nextStep } from '../domain/nextStep';
import { flushChatbot, parkInMailbox } from '../targets/mailbox';
import { attemptHttp } from './deliverHttp';
import type { DeliverDeps } from './deliverDeps';
import { nowOf, recordOutcome } from './deliverDeps';
import { holdIfSuspended } from './ruleHealth';
import type { Attempt, DeliveryRecord, LoadedDelivery, QueueMessage } from './deliveryPorts';
import { loadKeyOf, OPEN_STATES, parseWorkItem } from './deliveryPorts';
import { isChatNotify } from './ruleStore';
import type { OutcomeRecord } from './ruleHealthPorts';

export type { DeliverDeps };
export { nowOf };

/**
 * After a failed attempt: another try later, or `dead` when attempts or retention run
 * out. Returns the delay scheduled, if any.
 */
export async function scheduleRetry(
  deps: DeliverDeps,
  delivery: DeliveryRecord,
  attempt: Attempt,
  retryAfterSeconds: number | undefined,
  resend: boolean,
): Promise<number | undefined> {
  const now = nowOf(deps);
  const step = nextStep(
    deps.settings.retry,
    { attemptN: attempt.n, attemptBase: delivery.attemptBase, expiresAt: delivery.expiresAt },
    { outcome: 'retry', retryAfterSeconds },
    now,
    deps.random ?? Math.random,
  );
  if (step.state !== 'retrying') {
    await deps.deliveries.transition(delivery, { state: 'dead', attempt, deadReason: step.state === 'dead' ? step.reason : 'no retry' });
    return undefined;
  }
  const { delaySeconds: delay, at: next } = step;
  // The retry message first: if the process dies right after, the delivery is still
  // open and the message finds it; the other order could leave it `retrying` with no message.
  if (resend) {
    await deps.queue.sendDelayed(
      { kind: 'delivery', eventId: delivery.eventId, instanceId: delivery.instanceId, ruleId: delivery.ruleId, deliveryId: delivery.deliveryId, expect: attempt.n },
      delay,
    );
  }
  await deps.deliveries.transition(delivery, {
    state: 'retrying',
    attempt,
    nextAttemptAt: new Date(next).toISOString(),
  });
  return delay;
}

/** A closed chat delivery must not linger in its chatbot's mailbox (it would be sent again). */
async function dropMail(deps: DeliverDeps, delivery: DeliveryRecord): Promise<void> {
  if (isChatNotify(delivery.notify)) await deps.chatbots.deleteMail(delivery.notify.botId, [delivery.deliveryId]);
}

async function deliverOne(deps: DeliverDeps, message: { eventId: string; ruleId: string; instanceId?: string | undefined; expect?: number | undefined; redrive?: number | undefined }, preloaded?: LoadedDelivery): Promise<void> {
  const { eventId, ruleId } = message;
  // One read for both: the event is needed for every open delivery, and closed ones are rare.
  const { delivery, event } = preloaded ?? (await deps.deliveries.load(eventId, ruleId, message.instanceId));
  if (!delivery) return;
  if (!OPEN_STATES.includes(delivery.state)) {
    await dropMail(deps, delivery); // already closed: a duplicate message
    return;
  }
  const chat = isChatNotify(delivery.notify);
  if (!chat && delivery.state === 'retrying' && message.expect !== delivery.attemptCount) {
    return; // not this retry chain's message: a duplicate or a stale copy
  }
  if (!chat && (message.redrive ?? 0) !== (delivery.requeues ?? 0)) {
    return; // re-driven since (or a stale re-drive): only its latest re-drive acts
  }
  const now = nowOf(deps);
  if (Date.parse(delivery.expiresAt) <= now) {
    if (await deps.deliveries.transition(delivery, { state: 'dead', deadReason: 'event retention ended before a successful attempt' })) await recordOutcome(deps, delivery, { closed: 'dead' });
    await dropMail(deps, delivery);
    return;
  }
  if (!event) {
    await deps.deliveries.transition(delivery, { state: 'dead', deadReason: 'event record is gone' });
    await dropMail(deps, delivery);
    return;
  }
  // Hook: a suspended rule's delivery is held (recorded `suspended`), not attempted.
  if (deps.ruleHealth && (await holdIfSuspended({ ...deps.ruleHealth, deliveries: deps.deliveries, queue: deps.queue }, delivery))) {
    await dropMail(deps, delivery);
    return;
  }
  if (isChatNotify(delivery.notify)) {
    await parkInMailbox(deps, delivery, event);
    await flushChatbot(deps, delivery.notify.botId, delivery, delivery.notify.method);
    return;
  }
  const result = await attemptHttp({ ...deps, timeoutMs: deps.settings.timeoutMs, userAgent: deps.settings.userAgent, now: () => nowOf(deps) }, delivery, event);
  const attempt: Attempt = { n: delivery.attemptCount + 1, ...result.attempt };
  if (result.outcome === 'delivered') {
    await deps.deliveries.transition(delivery, { state: 'delivered', attempt, deliveredAt: attempt.at });
    deps.metrics?.({ DeliveriesDelivered: 1 });
  } else if (result.outcome === 'failed') {
    await deps.deliveries.transition(delivery, { state: 'failed', attempt });
    deps.metrics?.({ DeliveriesFailed: 1 });
  } else {
    const delay = await scheduleRetry(deps, delivery, attempt, result.retryAfterSeconds, true);
    deps.metrics?.(delay === undefined ? { DeliveriesDead: 1 } : { DeliveriesRetried: 1 });
  }
  // Hook: after the attempt — health, and the point where suspension is decided.
  await recordOutcome(deps, delivery, healthOutcomeOf(result.outcome, delivery, deps));
  deps.log?.('delivery attempt', { eventId, ruleId, n: attempt.n, outcome: attempt.outcome, httpStatus: attempt.httpStatus });
}

/** What an HTTP attempt means for its rule's health (a retry that ran out of attempts or retention closed `dead`). */
function healthOutcomeOf(outcome: 'delivered' | 'retry' | 'failed', delivery: DeliveryRecord, deps: DeliverDeps): Omit<OutcomeRecord, 'at'> {
  if (outcome === 'delivered') return { attempt: 'delivered', closed: 'delivered' };
  if (outcome === 'failed') return { attempt: 'failed', closed: 'failed' };
  const n = delivery.attemptCount + 1 - (delivery.attemptBase ?? 0);
  return n >= deps.settings.retry.maxAttempts ? { attempt: 'failed', closed: 'dead' } : { attempt: 'failed' };
}

/** Messages that will act on a delivery now (not flushes, not chained waits). */
function isDueDelivery(message: QueueMessage, now: number): message is QueueMessage & { eventId: string; ruleId: string } {
  return message.kind !== 'flush' && message.eventId !== undefined && message.ruleId !== undefined && !(message.notBefore !== undefined && message.notBefore > now);
}

/**
 * Reads what a queue batch's deliveries need in one go (instead of one read per
 * message); each message then looks its own up. Read failures leave the messages to
 * read for themselves.
 */
export async function preloadDeliveries(deps: DeliverDeps, messages: QueueMessage[]): Promise<(message: QueueMessage) => LoadedDelivery | undefined> {
  const now = nowOf(deps);
  const due = messages.filter((m) => isDueDelivery(m, now));
  if (due.length < 2) return () => undefined;
  let loaded: Map<string, LoadedDelivery>;
  try {
    loaded = await deps.deliveries.loadMany(due.map(({ eventId, ruleId, instanceId }) => ({ eventId, ruleId, instanceId })));
  } catch (error) {
    deps.log?.('batch read failed; each message reads for itself', { error: error instanceof Error ? error.name : 'unknown' });
    return () => undefined;
  }
  return (message) => (message.eventId !== undefined && message.ruleId !== undefined ? loaded.get(loadKeyOf(message.eventId, message.ruleId)) : undefined);
}

export async function processDeliveryMessage(deps: DeliverDeps, message: QueueMessage, preloaded?: LoadedDelivery): Promise<void> {
  const now = nowOf(deps);
  const item = parseWorkItem(message, now);
  switch (item.kind) {
    case 'wait':
      // A wait longer than SQS's 900 s maximum: chain another delay.
      await deps.queue.sendDelayed(item.message, Math.ceil((item.notBefore - now) / 1000));
      return;
    case 'flush':
      await flushChatbot(deps, item.botId, undefined, item.method);
      return;
    case 'delivery':
      await deliverOne(deps, item, preloaded);
      return;
  }
}
