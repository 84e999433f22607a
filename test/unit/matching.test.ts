/** SPEC §5 matching: table-driven cases and a property test against a reference matcher. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EVENT_STATUSES, EVENT_TYPES } from '../../shared/domain/eventTypes';
import type { EventStatus, EventType } from '../../shared/domain/eventTypes';
import { matchRules, ruleMatches } from '../../shared/domain/matching';
import type { MatchableEvent, MatchableRule } from '../../shared/domain/matching';
import { RE2JS } from 're2js';
import type { Scope } from '../../shared/domain/rules';

function rule(overrides: Partial<Omit<MatchableRule, 'matchesTag'>> & { tagPattern?: string } = {}): MatchableRule & { tagPattern: string } {
  const tagPattern = overrides.tagPattern ?? '.*';
  const re = RE2JS.compile(tagPattern);
  return {
    ruleId: 'r',
    instanceId: 'cri-aaaa',
    regionId: 'cn-hangzhou',
    enabled: true,
    eventTypes: ['cr:Artifact:ScanCompleted'],
    scope: { type: 'INSTANCE' },
    ...overrides,
    tagPattern,
    matchesTag: (tag) => re.matches(tag),
  };
}

const event: MatchableEvent = {
  eventType: 'cr:Artifact:ScanCompleted',
  status: 'FAILED',
  instanceId: 'cri-aaaa',
  regionId: 'cn-hangzhou',
  namespace: 'team-a',
  repoName: 'api',
  tag: 'v1.2.0',
};

describe('matching (table)', () => {
  const cases: [string, Parameters<typeof rule>[0], Partial<MatchableEvent>, boolean][] = [
    ['everything matches', {}, {}, true],
    ['disabled', { enabled: false }, {}, false],
    ['other instance', { instanceId: 'cri-bbbb' }, {}, false],
    ['other region', { regionId: 'cn-beijing' }, {}, false],
    ['type not chosen', { eventTypes: ['cr:Artifact:BuildCompleted'] }, {}, false],
    ['one of several types', { eventTypes: ['cr:Artifact:BuildCompleted', 'cr:Artifact:ScanCompleted'] }, {}, true],
    ['status listed', { eventStatuses: ['FAILED'] }, {}, true],
    ['status not listed', { eventStatuses: ['SUCCESS'] }, {}, false],
    ['namespace scope hit', { scope: { type: 'NAMESPACE', namespaces: ['x', 'team-a'] } }, {}, true],
    ['namespace scope miss', { scope: { type: 'NAMESPACE', namespaces: ['x'] } }, {}, false],
    ['repo scope hit', { scope: { type: 'REPO', namespace: 'team-a', repoNames: ['api'] } }, {}, true],
    ['repo scope: same repo, other namespace', { scope: { type: 'REPO', namespace: 'team-b', repoNames: ['api'] } }, {}, false],
    ['repo scope: repo not listed', { scope: { type: 'REPO', namespace: 'team-a', repoNames: ['web'] } }, {}, false],
    ['whole-tag match', { tagPattern: 'v[0-9]+\\..*' }, {}, true],
    ['substring is not enough', { tagPattern: '1\\.2' }, {}, false],
    ['prefix is not enough', { tagPattern: 'v1' }, {}, false],
    ['empty-ish tag pattern', { tagPattern: 'latest' }, { tag: 'latest' }, true],
  ];
  it.each(cases)('%s', (_name, r, e, expected) => {
    expect(ruleMatches(rule(r), { ...event, ...e })).toBe(expected);
  });
});

/** An independent statement of SPEC §5, with V8 RegExp for the (RE2-compatible) patterns. */
function reference(r: ReturnType<typeof rule>, e: MatchableEvent): boolean {
  if (!r.enabled || r.instanceId !== e.instanceId || r.regionId !== e.regionId) return false;
  if (!r.eventTypes.includes(e.eventType)) return false;
  if (r.eventStatuses && !r.eventStatuses.includes(e.status)) return false;
  if (r.scope.type === 'NAMESPACE' && !r.scope.namespaces.includes(e.namespace)) return false;
  if (r.scope.type === 'REPO' && (r.scope.namespace !== e.namespace || !r.scope.repoNames.includes(e.repoName))) return false;
  return new RegExp(`^(?:${r.tagPattern})$`).test(e.tag);
}

describe('matching (property)', () => {
  const small = <T>(items: readonly T[]) => fc.constantFrom(...items);
  const names = ['a', 'b', 'team-a'];
  const scope: fc.Arbitrary<Scope> = fc.oneof(
    fc.constant({ type: 'INSTANCE' as const }),
    fc.uniqueArray(small(names), { minLength: 1, maxLength: 3 }).map((namespaces) => ({ type: 'NAMESPACE' as const, namespaces })),
    fc.tuple(small(names), fc.uniqueArray(small(['api', 'web', 'x']), { minLength: 1, maxLength: 3 })).map(([namespace, repoNames]) => ({
      type: 'REPO' as const,
      namespace,
      repoNames,
    })),
  );
  const type = small(EVENT_TYPES);
  const arbRule = fc
    .record({
      ruleId: fc.string({ minLength: 1, maxLength: 4 }),
      instanceId: small(['cri-aaaa', 'cri-bbbb']),
      regionId: small(['cn-hangzhou', 'cn-beijing']),
      enabled: fc.boolean(),
      eventTypes: fc.uniqueArray(type, { minLength: 1, maxLength: 5 }),
      eventStatuses: fc.option(fc.uniqueArray(small(['SUCCESS', 'FAILED', 'CANCELED', 'DENIED'] as EventStatus[]), { minLength: 1, maxLength: 4 }), { nil: undefined }),
      scope,
      tagPattern: small(['.*', 'v[0-9]+\\..*', 'latest', 'v1', '[a-z]+', 'v1\\.2\\.0|latest', '(rc|v)[0-9.]*']),
    })
    .map(rule);
  const arbEvent = type.chain((eventType) =>
    fc.record({
      eventType: fc.constant(eventType as EventType),
      status: small(EVENT_STATUSES[eventType] as readonly EventStatus[]),
      instanceId: small(['cri-aaaa', 'cri-bbbb']),
      regionId: small(['cn-hangzhou', 'cn-beijing']),
      namespace: small(names),
      repoName: small(['api', 'web', 'x']),
      tag: small(['v1.2.0', 'latest', 'v1', 'rc1', 'abc', 'v10.0', 'xv1.2.0']),
    }),
  );

  it('matchRules agrees with the reference for random rule sets and events', () => {
    fc.assert(
      fc.property(fc.array(arbRule, { maxLength: 10 }), arbEvent, (rules, e) => {
        expect(matchRules(rules, e)).toEqual(rules.filter((r) => reference(r, e)));
      }),
      { seed: 42, numRuns: 1000 },
    );
  });
});
