/** SPEC §5: which rules an event matches. Rules arrive compiled (RE2 tag matcher ready). */
import type { EventStatus, EventType } from './eventTypes';
import type { Scope } from './rules';
import type { EventIdentity } from './cloudEvents';

export interface MatchableRule {
  ruleId: string;
  instanceId: string;
  regionId: string;
  enabled: boolean;
  eventTypes: readonly EventType[];
  eventStatuses?: readonly EventStatus[] | undefined;
  scope: Scope;
  /** Whole-tag match with the rule's RE2 pattern. */
  matchesTag: (tag: string) => boolean;
}

export type MatchableEvent = Omit<EventIdentity, 'eventId' | 'time'>;

export function scopeHolds(scope: Scope, namespace: string, repoName: string): boolean {
  switch (scope.type) {
    case 'INSTANCE':
      return true;
    case 'NAMESPACE':
      return scope.namespaces.includes(namespace);
    case 'REPO':
      return scope.namespace === namespace && scope.repoNames.includes(repoName);
  }
}

export function ruleMatches(rule: MatchableRule, event: MatchableEvent): boolean {
  return (
    rule.enabled &&
    rule.instanceId === event.instanceId &&
    rule.regionId === event.regionId &&
    rule.eventTypes.includes(event.eventType) &&
    (rule.eventStatuses === undefined || rule.eventStatuses.includes(event.status)) &&
    scopeHolds(rule.scope, event.namespace, event.repoName) &&
    rule.matchesTag(event.tag)
  );
}

export function matchRules<R extends MatchableRule>(rules: readonly R[], event: MatchableEvent): R[] {
  return rules.filter((rule) => ruleMatches(rule, event));
}
