/**
 * Rule health and the circuit breaker (SPEC §13), attached to the delivery path by three
 * small hooks so any target can carry them:
 *  - `recordRuleOutcome` after each attempt (and at each close without one): one write;
 *    it is also where suspension is decided (domain/circuitBreaker.ts) and announced;
 *  - `holdIfSuspended` before an attempt: a suspended rule's delivery is recorded as
 *    `suspended` (held, findable in the held index) instead of attempted;
 *  - `resumeRule`: the resume route and a target edit re-queue what is held, to the rule's current target.
 * Health bookkeeping never fails a delivery: its errors are logged and the delivery goes on.
 */
import { deliveryIdOf } from '../domain/deliveryId';
import { breakerDecision, healthStateOf, last24h } from '../domain/circuitBreaker';
import type { BreakerPolicy, RuleHealthView } from '../domain/circuitBreaker';
import { ruleNotFound } from '../domain/errors';
import type { MetricsSink } from '../observability/metrics';
import type { AlertNotice, AlertSender } from './alerts';
import type { DelayedQueue, DeliveryRecord, DeliveryRepository } from './deliveryPorts';
import type { DeliveryMessage, DeliveryQueue } from './eventStore';
import type { AlertTargetStore, HeldDeliveries, OutcomeRecord, RuleHealthStore, StoredRuleHealth } from './ruleHealthPorts';
import type { RuleStore } from './ruleStore';
import type { ChatbotStatusDeps } from './chatbotStatus';

export type Log = (message: string, fields: Record<string, unknown>) => void;

export interface RuleHealthDeps {
  health: RuleHealthStore;
  alerts: Pick<AlertTargetStore, 'get'>;
  alertSender: AlertSender;
  breaker: BreakerPolicy;
  log?: Log;
  warn?: Log;
  metrics?: MetricsSink;
  now?: () => number;
}

export const HELD_PAST_RETENTION = 'event retention ended while its rule was suspended';
export const HELD_RULE_DELETED = 'the rule was deleted while it was suspended';
const RESUME_BATCH = 100;

const nowOf = (deps: { now?: () => number }) => (deps.now ?? Date.now)();

/** The `health` block of a rule read; a rule never attempted is healthy with zero counts. */
export function healthView(stored: StoredRuleHealth | undefined, nowMs: number): RuleHealthView {
  if (!stored) return { state: 'healthy', consecutiveFailures: 0, last24h: { delivered: 0, failed: 0, dead: 0 } };
  return {
    state: healthStateOf(stored),
    consecutiveFailures: stored.consecutiveFailures,
    ...(stored.lastDeliveredAt ? { lastDeliveredAt: stored.lastDeliveredAt } : {}),
    ...(stored.lastFailureAt ? { lastFailureAt: stored.lastFailureAt } : {}),
    last24h: last24h(stored.slots, nowMs),
  };
}

/** Sends the notice to the instance's alert target, if any; a failure is logged and counted, never thrown. */
export async function announce(deps: RuleHealthDeps, notice: AlertNotice): Promise<void> {
  deps.log?.(notice.kind === 'rule.suspended' ? 'rule suspended' : 'rule recovered', { ...notice });
  deps.metrics?.(notice.kind === 'rule.suspended' ? { RulesSuspended: 1 } : { RulesRecovered: 1 });
  try {
    const target = await deps.alerts.get(notice.instanceId);
    if (!target) return;
    const sent = await deps.alertSender.send(target, notice);
    if (sent.outcome !== 'delivered') {
      deps.warn?.('alert not delivered', { instanceId: notice.instanceId, ruleId: notice.ruleId, kind: notice.kind, error: sent.error });
      deps.metrics?.({ AlertsFailed: 1 });
    }
  } catch (error) {
    deps.warn?.('alert not delivered', { instanceId: notice.instanceId, ruleId: notice.ruleId, kind: notice.kind, error: error instanceof Error ? error.message : 'unknown' });
    deps.metrics?.({ AlertsFailed: 1 });
  }
}

/**
 * Hook after an attempt: records its outcome for the rule's health and decides, from the
 * state that write returned, whether the rule is now suspended (announced once: the
 * suspending write is conditional) or has just recovered.
 */
export async function recordRuleOutcome(
  deps: RuleHealthDeps,
  delivery: Pick<DeliveryRecord, 'instanceId' | 'ruleId' | 'ruleName'>,
  outcome: Omit<OutcomeRecord, 'at'>,
): Promise<void> {
  const nowMs = nowOf(deps);
  const at = new Date(nowMs).toISOString();
  const { instanceId, ruleId, ruleName } = delivery;
  try {
    const { after, recovered } = await deps.health.record(instanceId, ruleId, { ...outcome, at }, nowMs);
    if (recovered) await announce(deps, { kind: 'rule.recovered', instanceId, ruleId, ruleName, at });
    if (outcome.attempt !== 'failed' || breakerDecision(deps.breaker, after, nowMs) !== 'suspend') return;
    const reason = `${after.consecutiveFailures} consecutive failed attempts since ${after.failingSince ?? at}`;
    if (await deps.health.suspend(instanceId, ruleId, at, reason)) {
      await announce(deps, { kind: 'rule.suspended', instanceId, ruleId, ruleName, at, reason });
    }
  } catch (error) {
    deps.warn?.('rule health not recorded', { instanceId, ruleId, error: error instanceof Error ? error.message : 'unknown' });
  }
}

/**
 * Hook before an attempt: when the delivery's rule is suspended, records the delivery as
 * held (`suspended`, in the held index) and says so; the caller then does not attempt it.
 * If a resume slipped in between the check and the hold, the delivery releases itself —
 * to the rule's current target, as resume would have (one more GetItem, on this race
 * only); if the rule was deleted meanwhile, it ends `dead` as the delete would have.
 */
export async function holdIfSuspended(
  deps: Pick<RuleHealthDeps, 'health' | 'log' | 'now'> & { deliveries: DeliveryRepository; held: HeldDeliveries; queue: DelayedQueue; rules?: Pick<RuleStore, 'get'> | undefined },
  delivery: DeliveryRecord,
): Promise<boolean> {
  if (!(await deps.health.isSuspended(delivery.instanceId, delivery.ruleId))) return false;
  if (!(await deps.deliveries.transition(delivery, { state: 'suspended' }))) return true; // closed meanwhile: nothing to attempt
  deps.log?.('delivery held: rule suspended', { eventId: delivery.eventId, ruleId: delivery.ruleId });
  if (await deps.health.isSuspended(delivery.instanceId, delivery.ruleId, true)) return true;
  const nowIso = new Date(nowOf(deps)).toISOString();
  const ref = { eventId: delivery.eventId, ruleId: delivery.ruleId, instanceId: delivery.instanceId, expiresAt: delivery.expiresAt };
  const rule = deps.rules ? await deps.rules.get(delivery.instanceId, delivery.ruleId) : undefined;
  if (deps.rules && !rule) {
    await deps.held.expire(ref, nowIso, HELD_RULE_DELETED);
    return true;
  }
  if (await deps.held.release(ref, nowIso, rule?.notify)) {
    await deps.queue.sendDelayed({ kind: 'delivery', eventId: delivery.eventId, instanceId: delivery.instanceId, ruleId: delivery.ruleId, deliveryId: delivery.deliveryId }, 0);
  }
  return true;
}

export interface ResumeDeps {
  rules: Pick<RuleStore, 'get'>;
  health: Pick<RuleHealthStore, 'resume'>;
  held: HeldDeliveries;
  queue: DeliveryQueue;
  log?: Log;
  now?: () => number;
}

/** What the operations routes of the rules function need: resume and the alert target. */
export interface OperationsDeps extends ResumeDeps {
  alerts: AlertTargetStore;
  chatbots: ChatbotStatusDeps;
}

/**
 * Ends a rule's suspension and re-queues everything it holds that is still within
 * retention, in batches; what is past retention ends `dead` with the reason. Held
 * deliveries are swept even if the rule was not marked suspended (a hold racing an
 * earlier resume), so nothing stays held.
 *
 * Released deliveries go to the rule's target as it is now, not the one captured when
 * their event matched: a target edit resumes the rule to send what it held to the fixed
 * target (SPEC §13), and a plain resume after an earlier edit does the same — the rule's
 * current target is the one the user sees and vouches for by resuming. The release write
 * carries it (`notify` on the state item); it is sealed under this rule's context like
 * the plan's, so it is carried as is.
 */
export async function resumeRule(deps: ResumeDeps, instanceId: string, ruleId: string): Promise<{ requeued: number }> {
  const rule = await deps.rules.get(instanceId, ruleId);
  if (!rule) throw ruleNotFound(ruleId);
  const wasSuspended = await deps.health.resume(instanceId, ruleId);
  let requeued = 0;
  let expired = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const page = await deps.held.page(ruleId, RESUME_BATCH, start);
    start = page.next;
    const nowIso = new Date(nowOf(deps)).toISOString();
    const batch: DeliveryMessage[] = [];
    for (const ref of page.held) {
      if (ref.expiresAt <= nowIso) {
        if (await deps.held.expire({ ...ref, ruleId }, nowIso, HELD_PAST_RETENTION)) expired += 1;
      } else if (await deps.held.release({ ...ref, ruleId, instanceId }, nowIso, rule.notify)) {
        batch.push({ eventId: ref.eventId, instanceId, ruleId, deliveryId: deliveryIdOf(ref.eventId, ruleId) });
      }
    }
    // Released deliveries are in the pending index: one whose message is not sent is re-driven by the reconciler.
    if (batch.length > 0) await deps.queue.send(batch);
    requeued += batch.length;
  } while (start);
  deps.log?.('rule resumed', { instanceId, ruleId, wasSuspended, requeued, expired });
  return { requeued };
}

/**
 * A deleted rule's held deliveries end `dead` with the reason: nothing could resume them
 * any more, and the trace and `deliveryState=dead` should say what became of them rather
 * than show them held until their event's retention ends.
 */
export async function endHeldOfDeletedRule(deps: Pick<ResumeDeps, 'held' | 'log' | 'now'>, instanceId: string, ruleId: string): Promise<number> {
  let ended = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const page = await deps.held.page(ruleId, RESUME_BATCH, start);
    start = page.next;
    const nowIso = new Date(nowOf(deps)).toISOString();
    for (const ref of page.held) if (await deps.held.expire({ ...ref, ruleId }, nowIso, HELD_RULE_DELETED)) ended += 1;
  } while (start);
  if (ended > 0) deps.log?.('held deliveries of a deleted rule ended', { instanceId, ruleId, ended });
  return ended;
}

/** Health of one rule, for rule reads. */
export async function ruleHealthOf(deps: { health: Pick<RuleHealthStore, 'get'>; now?: () => number }, instanceId: string, ruleId: string) {
  return healthView(await deps.health.get(instanceId, ruleId), nowOf(deps));
}
