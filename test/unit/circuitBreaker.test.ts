import { describe, expect, it } from 'vitest';
import { breakerDecision, epochHour, healthStateOf, last24h } from '../../shared/domain/circuitBreaker';
import type { BreakerInput, BreakerDecision } from '../../shared/domain/circuitBreaker';

const policy = { afterSeconds: 86_400, minAttempts: 20 };
const now = Date.parse('2026-12-06T12:00:00Z');
const ago = (seconds: number) => new Date(now - seconds * 1000).toISOString();

describe('breakerDecision', () => {
  const table: [string, BreakerInput, BreakerDecision][] = [
    ['healthy rule', { consecutiveFailures: 0 }, 'stay'],
    ['long run of failures, enough attempts', { consecutiveFailures: 20, failingSince: ago(86_400) }, 'suspend'],
    ['failing exactly long enough, more attempts', { consecutiveFailures: 500, failingSince: ago(86_400) }, 'suspend'],
    ['failing one second short of the period', { consecutiveFailures: 500, failingSince: ago(86_399) }, 'stay'],
    ['failing long enough, one attempt short', { consecutiveFailures: 19, failingSince: ago(200_000) }, 'stay'],
    ['already suspended', { consecutiveFailures: 50, failingSince: ago(200_000), suspendedAt: ago(10) }, 'stay'],
    ['failures without a start time (never written that way)', { consecutiveFailures: 50 }, 'stay'],
  ];
  it.each(table)('%s', (_name, input, expected) => {
    expect(breakerDecision(policy, input, now)).toBe(expected);
  });
});

describe('healthStateOf', () => {
  it('names the state from the counters', () => {
    expect(healthStateOf({ consecutiveFailures: 0 })).toBe('healthy');
    expect(healthStateOf({ consecutiveFailures: 3, failingSince: ago(5) })).toBe('failing');
    expect(healthStateOf({ consecutiveFailures: 3, failingSince: ago(5), suspendedAt: ago(1) })).toBe('suspended');
  });
});

describe('last24h', () => {
  it('sums the current hour and the 23 before it, nothing older or newer', () => {
    const h = epochHour(now);
    const slots = [
      { hour: h, delivered: 1, failed: 2, dead: 3 },
      { hour: h - 23, delivered: 10, failed: 0, dead: 0 },
      { hour: h - 24, delivered: 100, failed: 100, dead: 100 },
      { hour: h + 1, delivered: 1000, failed: 0, dead: 0 },
    ];
    expect(last24h(slots, now)).toEqual({ delivered: 11, failed: 2, dead: 3 });
  });
});
