/** The health hooks with in-memory fakes: suspension is decided once and announced; a failing alert target never throws into a delivery. */
import { describe, expect, it } from 'vitest';
import type { AlertSender } from '../../shared/services/alerts';
import { recordRuleOutcome } from '../../shared/services/ruleHealth';
import type { RuleHealthDeps } from '../../shared/services/ruleHealth';
import type { RuleHealthStore, StoredRuleHealth } from '../../shared/services/ruleHealthPorts';
import type { MetricName } from '../../shared/observability/metrics';

/** A rule health store in memory with the repository's semantics (state after an outcome, conditional suspend). */
function memoryHealth(): RuleHealthStore & { item: StoredRuleHealth } {
  const item: StoredRuleHealth = { consecutiveFailures: 0, slots: [] };
  return {
    item,
    async record(_i, _r, outcome) {
      if (outcome.attempt === 'delivered') {
        item.consecutiveFailures = 0;
        delete item.failingSince;
      } else if (outcome.attempt === 'failed') {
        item.consecutiveFailures += 1;
        item.failingSince ??= outcome.at;
      }
      return { after: { ...item }, recovered: false };
    },
    get: async () => item,
    listOf: async () => new Map(),
    isSuspended: async () => item.suspendedAt !== undefined,
    async suspend(_i, _r, at) {
      if (item.suspendedAt !== undefined || item.failingSince === undefined) return false;
      item.suspendedAt = at;
      return true;
    },
    async resume() {
      return false;
    },
    async remove() {
      return undefined;
    },
  };
}

function depsWith(sender: AlertSender, clock: { now: number }) {
  const health = memoryHealth();
  const warnings: string[] = [];
  const metrics: Partial<Record<MetricName, number>>[] = [];
  const deps: RuleHealthDeps = {
    health,
    alerts: { get: async () => ({ method: 'https', url: 'https://ops.example.com/alerts' }) },
    alertSender: sender,
    breaker: { afterSeconds: 10, minAttempts: 3 },
    warn: (message) => warnings.push(message),
    metrics: (values) => metrics.push(values),
    now: () => clock.now,
  };
  return { deps, health, warnings, metrics };
}

const delivery = { instanceId: 'cri-abc123', ruleId: 'crecr-0000000000000001', ruleName: 'r' };

describe('recordRuleOutcome', () => {
  it('suspends once, after both the period and the attempts, and announces it once', async () => {
    const sent: string[] = [];
    const clock = { now: Date.parse('2026-12-06T00:00:00Z') };
    const { deps, health } = depsWith({ send: async (_n, notice) => (sent.push(notice.kind), { outcome: 'delivered' }) }, clock);
    for (let i = 0; i < 5; i += 1) {
      await recordRuleOutcome(deps, delivery, { attempt: 'failed' });
      clock.now += 1_000;
    }
    expect(health.item.suspendedAt).toBeUndefined(); // 5 attempts, but only 4 s of failures
    clock.now += 6_000;
    await recordRuleOutcome(deps, delivery, { attempt: 'failed' });
    expect(health.item.suspendedAt).toBeDefined();
    await recordRuleOutcome(deps, delivery, { attempt: 'failed' });
    expect(sent).toEqual(['rule.suspended']);
  });

  it('a failing or throwing alert target is logged and counted, never thrown', async () => {
    for (const sender of [
      { send: async () => ({ outcome: 'failed' as const, error: 'HTTP 500' }) },
      { send: () => Promise.reject(new Error('connection refused')) },
    ]) {
      const clock = { now: Date.parse('2026-12-06T00:00:00Z') };
      const { deps, health, warnings, metrics } = depsWith(sender, clock);
      for (let i = 0; i < 3; i += 1) {
        await recordRuleOutcome(deps, delivery, { attempt: 'failed' });
        clock.now += 6_000;
      }
      expect(health.item.suspendedAt).toBeDefined();
      expect(warnings).toEqual(['alert not delivered']);
      expect(metrics).toContainEqual({ RulesSuspended: 1 });
      expect(metrics).toContainEqual({ AlertsFailed: 1 });
    }
  });

  it('a delivery ends the failure run', async () => {
    const clock = { now: Date.parse('2026-12-06T00:00:00Z') };
    const { deps, health } = depsWith({ send: async () => ({ outcome: 'delivered' }) }, clock);
    await recordRuleOutcome(deps, delivery, { attempt: 'failed' });
    clock.now += 20_000;
    await recordRuleOutcome(deps, delivery, { attempt: 'delivered', closed: 'delivered' });
    await recordRuleOutcome(deps, delivery, { attempt: 'failed' });
    await recordRuleOutcome(deps, delivery, { attempt: 'failed' });
    expect(health.item.suspendedAt).toBeUndefined();
    expect(health.item.consecutiveFailures).toBe(2);
  });
});
