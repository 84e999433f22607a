/**
 * The circuit breaker of SPEC §13, as data in and a decision out. A rule's health is a
 * run of consecutive failed attempts (reset by a delivery) and when that run began; the
 * rule is suspended once the run has lasted `afterSeconds` across at least `minAttempts`
 * attempts. Suspension ends only by resume (or a target edit), never by itself: a held
 * delivery is never attempted, so nothing could prove the target healthy again.
 */

export interface BreakerPolicy {
  afterSeconds: number;
  minAttempts: number;
}

/** What the health item says after an attempt's outcome was recorded. */
export interface BreakerInput {
  consecutiveFailures: number;
  /** ISO time of the first failure of the current run (absent while healthy). */
  failingSince?: string | undefined;
  /** ISO time the rule was suspended (absent when not suspended). */
  suspendedAt?: string | undefined;
}

export type BreakerDecision = 'suspend' | 'stay';

export type RuleHealthState = 'healthy' | 'failing' | 'suspended';

export function breakerDecision(policy: BreakerPolicy, health: BreakerInput, nowMs: number): BreakerDecision {
  if (health.suspendedAt !== undefined) return 'stay';
  if (health.failingSince === undefined || health.consecutiveFailures < policy.minAttempts) return 'stay';
  const failingForMs = nowMs - Date.parse(health.failingSince);
  return failingForMs >= policy.afterSeconds * 1000 ? 'suspend' : 'stay';
}

export function healthStateOf(health: BreakerInput): RuleHealthState {
  if (health.suspendedAt !== undefined) return 'suspended';
  return health.consecutiveFailures > 0 ? 'failing' : 'healthy';
}

/** The outcome of one attempt as health counts it. `retry` is a failed attempt that will be tried again. */
export type HealthOutcome = 'delivered' | 'retry' | 'failed' | 'dead';

/** Hour buckets for the last-24h counts: slot = epoch hour mod 24, stamped with its hour. */
export const HEALTH_SLOTS = 24;
export const epochHour = (ms: number) => Math.floor(ms / 3_600_000);

export interface HourSlot {
  hour: number;
  delivered: number;
  failed: number;
  dead: number;
}

/** Sums the slots of the 24 hours up to and including the current one. */
export function last24h(slots: readonly HourSlot[], nowMs: number): { delivered: number; failed: number; dead: number } {
  const current = epochHour(nowMs);
  const totals = { delivered: 0, failed: 0, dead: 0 };
  for (const slot of slots) {
    if (slot.hour > current - HEALTH_SLOTS && slot.hour <= current) {
      totals.delivered += slot.delivered;
      totals.failed += slot.failed;
      totals.dead += slot.dead;
    }
  }
  return totals;
}

/** The `health` block of every rule read (SPEC §13). */
export interface RuleHealthView {
  state: RuleHealthState;
  consecutiveFailures: number;
  lastDeliveredAt?: string;
  lastFailureAt?: string;
  last24h: { delivered: number; failed: number; dead: number };
}
