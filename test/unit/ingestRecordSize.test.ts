/**
 * An event is recorded as one DynamoDB item together with its planned deliveries, and an
 * item may not exceed 400 KB: an event too large for its matches is refused with 413,
 * never a 500 from DynamoDB, and the rest of its batch is still recorded. (In-memory
 * fakes: this is the service's own arithmetic; the store is not involved.)
 */
import { describe, expect, it } from 'vitest';
import type { CachedRule } from '../../shared/services/ruleCache';
import { ingestEvents, MAX_RECORD_BYTES } from '../../shared/services/ingest';
import type { EventStore } from '../../shared/services/eventStore';

const INSTANCE = 'cri-size0001';

function rule(n: number): CachedRule {
  return {
    ruleId: `crecr-${String(n).padStart(16, '0')}`,
    instanceId: INSTANCE,
    ruleName: `r${n}`,
    regionId: 'cn-hangzhou',
    eventTypes: ['cr:Artifact:ScanCompleted'],
    scope: { type: 'INSTANCE' },
    tagPattern: '.*',
    notify: { method: 'https', url: 'https://hooks.example.com/x' },
    template: 'x'.repeat(4_000),
    enabled: true,
    createdAt: '2026-11-25T00:00:00Z',
    updatedAt: '2026-11-25T00:00:00Z',
    version: 1,
    matchesTag: () => true,
  };
}

function event(id: string, padding: number) {
  return {
    specversion: '1.0',
    id,
    source: 'acs.cr',
    type: 'cr:Artifact:ScanCompleted',
    data: { InstanceId: INSTANCE, RegionId: 'cn-hangzhou', RepoNamespaceName: 'ns', RepoName: 'r', Tag: 'v1', ScanStatus: 'FAILED', Notes: 'n'.repeat(padding) },
  };
}

describe('event record size', () => {
  it('refuses (413) only the event whose record would pass the item limit; the rest of the batch is recorded', async () => {
    const recorded: string[] = [];
    const events: EventStore = {
      async record(entries) {
        for (const e of entries) recorded.push(e.event.eventId);
        return entries.map((e) => ({ eventId: e.event.eventId, outcome: 'recorded' as const }));
      },
    };
    const rules = Array.from({ length: 40 }, (_, i) => rule(i)); // 40 × ~4 KB of plan
    const deps = { events, queue: { send: async () => [] }, rules: { rulesFor: async () => rules }, retentionSeconds: 3600 };
    const results = await ingestEvents(deps, { kind: 'admin' }, [event('small', 10), event('large', 240_000)]);
    expect(results.map((r) => r.status)).toEqual(['accepted', 'rejected']);
    expect(results[1]).toMatchObject({ eventId: 'large', httpStatus: 413, error: { code: 'PayloadTooLarge' } });
    expect(recorded).toEqual(['small']);
    expect(MAX_RECORD_BYTES).toBeLessThan(400 * 1024);
  });
});
