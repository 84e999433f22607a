import { describe, expect, it } from 'vitest';
import { emfLine, METRICS_NAMESPACE } from '../../shared/observability/metrics';

describe('embedded metric format', () => {
  it('declares each non-zero counter in _aws.CloudWatchMetrics and carries its value', () => {
    const line = JSON.parse(emfLine({ EventsIngested: 3, EventsDuplicate: 0, DigestsSent: 1 }, 1_700_000_000_000) ?? '{}') as Record<string, unknown>;
    expect(line).toEqual({
      _aws: {
        Timestamp: 1_700_000_000_000,
        CloudWatchMetrics: [{ Namespace: METRICS_NAMESPACE, Dimensions: [['service']], Metrics: [{ Name: 'EventsIngested', Unit: 'Count' }, { Name: 'DigestsSent', Unit: 'Count' }] }],
      },
      service: 'registry-events',
      EventsIngested: 3,
      DigestsSent: 1,
    });
  });
  it('writes nothing when every counter is zero', () => {
    expect(emfLine({ EventsIngested: 0 })).toBeUndefined();
  });
});
