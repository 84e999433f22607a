import { describe, expect, it } from 'vitest';
import { nextStep } from '../../shared/domain/nextStep';
import type { AttemptBudget, NextStep, Verdict } from '../../shared/domain/nextStep';

const policy = { baseSeconds: 10, maxDelaySeconds: 300, maxAttempts: 5 };
const now = Date.parse('2026-01-01T00:00:00Z');
const inAnHour = new Date(now + 3_600_000).toISOString();
const inAMinute = new Date(now + 60_000).toISOString();

const rows: [string, AttemptBudget, Verdict, number, NextStep][] = [
  ['delivered ends it', { attemptN: 1, expiresAt: inAnHour }, { outcome: 'delivered' }, 0.5, { state: 'delivered' }],
  ['failed ends it', { attemptN: 1, expiresAt: inAnHour }, { outcome: 'failed' }, 0.5, { state: 'failed' }],
  ['first retry: full jitter of the base', { attemptN: 1, expiresAt: inAnHour }, { outcome: 'retry' }, 0.5, { state: 'retrying', delaySeconds: 5, at: now + 5_000 }],
  ['third retry: base × 4, jittered', { attemptN: 3, expiresAt: inAnHour }, { outcome: 'retry' }, 1, { state: 'retrying', delaySeconds: 40, at: now + 40_000 }],
  ['jitter never below one second', { attemptN: 1, expiresAt: inAnHour }, { outcome: 'retry' }, 0, { state: 'retrying', delaySeconds: 1, at: now + 1_000 }],
  ['Retry-After honoured', { attemptN: 1, expiresAt: inAnHour }, { outcome: 'retry', retryAfterSeconds: 120 }, 0.1, { state: 'retrying', delaySeconds: 120, at: now + 120_000 }],
  ['Retry-After capped at the maximum delay', { attemptN: 1, expiresAt: inAnHour }, { outcome: 'retry', retryAfterSeconds: 9_999 }, 0.1, { state: 'retrying', delaySeconds: 300, at: now + 300_000 }],
  ['budget spent → dead', { attemptN: 5, expiresAt: inAnHour }, { outcome: 'retry' }, 0.5, { state: 'dead', reason: 'gave up after 5 attempts' }],
  ['a redelivery restarts the budget', { attemptN: 7, attemptBase: 4, expiresAt: inAnHour }, { outcome: 'retry' }, 0.5, { state: 'retrying', delaySeconds: 150, at: now + 150_000 }],
  ['retention ends before the retry → dead', { attemptN: 4, expiresAt: inAMinute }, { outcome: 'retry' }, 1, { state: 'dead', reason: 'event retention ended before a successful attempt' }],
  ['throttled pauses, attempts untouched', { attemptN: 5, expiresAt: inAnHour }, { outcome: 'throttled', until: now + 600_000 }, 0.5, { state: 'throttled', until: now + 600_000 }],
  ['a pause in the past means now', { attemptN: 1, expiresAt: inAnHour }, { outcome: 'throttled', until: now - 5 }, 0.5, { state: 'throttled', until: now }],
];

describe('nextStep (the after-attempt decision)', () => {
  it.each(rows)('%s', (_name, delivery, verdict, random, expected) => {
    expect(nextStep(policy, delivery, verdict, now, () => random)).toEqual(expected);
  });
});
