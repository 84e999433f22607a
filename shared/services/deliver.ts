/**
 * The delivery worker's use case: one queue message → at most one attempt, a trace
 * entry, and either a final state or a new delayed message (retries and deferrals are
 * new messages, so SQS's receive count only grows when the worker itself crashes).
 */
import type { HttpSender } from '../adapters/http/httpSender';
import type { SecretSealer } from '../adapters/crypto/secretSealer';
import { retryDelay } from '../domain/retry';
import type { ChatbotStore } from './chatbotPorts';
import { attemptHttp } from './deliverHttp';
import { flushChatbot, parkInMailbox } from './deliverDingTalk';
import type { Attempt, DelayedQueue, DeliveryRecord, DeliveryRepository, LoadedDelivery, QueueMessage } from './deliveryPorts';
import { loadKeyOf, OPEN_STATES } from './deliveryPorts';
import type { DeliverySettings } from './deliverySettings';
import type { MetricsSink } from '../observability/metrics';
import { holdIfSuspended, recordRuleOutcome } from './ruleHealth';
import type { RuleHealthDeps } from './ruleHealth';
import type { HeldDeliveries, OutcomeRecord } from './ruleHealthPorts';

export interface DeliverDeps {
  deliveries: DeliveryRepository;
  chatbots: ChatbotStore;
  queue: DelayedQueue;
  sender: HttpSender;
  sealer: SecretSealer;
  settings: DeliverySettings;
  now?: () => number;
  random?: () => number;
  log?: (message: string, fields: Record<string, unknown>) => void;
  metrics?: MetricsSink;
  /** Rule health and the circuit breaker (SPEC §13); absent, deliveries are neither counted nor held. */
  ruleHealth?: RuleHealthDeps & { held: HeldDeliveries };
}

export const nowOf = (deps: Pick<DeliverDeps, 'now'>) => (deps.now ?? Date.now)();

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
  if (attempt.n - (delivery.attemptBase ?? 0) >= deps.settings.retry.maxAttempts) {
    await deps.deliveries.transition(delivery, { state: 'dead', attempt, deadReason: `gave up after ${attempt.n} attempts` });
    return undefined;
  }
  const delay = retryDelay(deps.settings.retry, attempt.n, retryAfterSeconds, deps.random ?? Math.random);
  const next = now + delay * 1000;
  if (next >= Date.parse(delivery.expiresAt)) {
    await deps.deliveries.transition(delivery, { state: 'dead', attempt, deadReason: 'event retention ended before a successful attempt' });
    return undefined;
  }
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

/** Hook: an attempt's (or a close's) outcome counts for its rule's health, and may suspend it. */
export async function recordOutcome(deps: DeliverDeps, delivery: DeliveryRecord, outcome: Omit<OutcomeRecord, 'at'>): Promise<void> {
  if (deps.ruleHealth) await recordRuleOutcome(deps.ruleHealth, delivery, outcome);
}

/** A closed DingTalk delivery must not linger in its chatbot's mailbox (it would be sent again). */
async function dropMail(deps: DeliverDeps, delivery: DeliveryRecord): Promise<void> {
  if (delivery.notify.method === 'dingtalk') await deps.chatbots.deleteMail(delivery.notify.botId, [delivery.deliveryId]);
}

async function deliverOne(deps: DeliverDeps, message: QueueMessage & { eventId: string; ruleId: string }, preloaded?: LoadedDelivery): Promise<void> {
  const { eventId, ruleId } = message;
  // One read for both: the event is needed for every open delivery, and closed ones are rare.
  const { delivery, event } = preloaded ?? (await deps.deliveries.load(eventId, ruleId, message.instanceId));
  if (!delivery) return;
  if (!OPEN_STATES.includes(delivery.state)) {
    await dropMail(deps, delivery); // already closed: a duplicate message
    return;
  }
  if (delivery.notify.method !== 'dingtalk' && delivery.state === 'retrying' && message.expect !== delivery.attemptCount) {
    return; // not this retry chain's message: a duplicate or a stale copy
  }
  if (delivery.notify.method !== 'dingtalk' && (message.redrive ?? 0) !== (delivery.requeues ?? 0)) {
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
  if (delivery.notify.method === 'dingtalk') {
    await parkInMailbox(deps, delivery, event);
    await flushChatbot(deps, delivery.notify.botId, delivery);
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
  if (message.notBefore !== undefined && message.notBefore > now) {
    // A wait longer than SQS's 900 s maximum: chain another delay.
    await deps.queue.sendDelayed(message, Math.ceil((message.notBefore - now) / 1000));
    return;
  }
  const { notBefore: _n, ...rest } = message;
  if (rest.kind === 'flush') {
    if (!rest.botId) throw new Error('flush message without botId');
    await flushChatbot(deps, rest.botId);
    return;
  }
  if (!rest.eventId || !rest.ruleId) throw new Error('delivery message without eventId/ruleId');
  await deliverOne(deps, { ...rest, eventId: rest.eventId, ruleId: rest.ruleId }, preloaded);
}
