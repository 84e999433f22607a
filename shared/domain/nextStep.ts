/**
 * The after-attempt decision, shared by every target: given the retry policy, the
 * delivery's attempt budget and retention, and what the attempt's reply meant, what
 * happens next. Pure (time and randomness are arguments), so one table test covers it.
 */
import { retryDelay } from './retry';
import type { RetryPolicy } from './retry';

export type Verdict =
  | { outcome: 'delivered' }
  | { outcome: 'failed' }
  | { outcome: 'retry'; retryAfterSeconds?: number | undefined }
  /** The receiver asked us to slow down: not a failed attempt, the bot pauses until `until`. */
  | { outcome: 'throttled'; until: number };

export interface AttemptBudget {
  /** The attempt number just made (1-based, counting every attempt ever). */
  attemptN: number;
  /** attemptCount when the delivery was last redelivered: its budget starts there. */
  attemptBase?: number | undefined;
  expiresAt: string;
}

export type NextStep =
  | { state: 'delivered' }
  | { state: 'failed' }
  | { state: 'retrying'; at: number; delaySeconds: number }
  | { state: 'throttled'; until: number }
  | { state: 'dead'; reason: string };

export const RETENTION_ENDED = 'event retention ended before a successful attempt';

export function nextStep(policy: RetryPolicy, delivery: AttemptBudget, verdict: Verdict, now: number, random: () => number): NextStep {
  switch (verdict.outcome) {
    case 'delivered':
      return { state: 'delivered' };
    case 'failed':
      return { state: 'failed' };
    case 'throttled':
      return { state: 'throttled', until: Math.max(now, verdict.until) };
    case 'retry': {
      if (delivery.attemptN - (delivery.attemptBase ?? 0) >= policy.maxAttempts) {
        return { state: 'dead', reason: `gave up after ${delivery.attemptN} attempts` };
      }
      const delaySeconds = retryDelay(policy, delivery.attemptN, verdict.retryAfterSeconds, random);
      const at = now + delaySeconds * 1000;
      if (at >= Date.parse(delivery.expiresAt)) return { state: 'dead', reason: RETENTION_ENDED };
      return { state: 'retrying', at, delaySeconds };
    }
  }
}
