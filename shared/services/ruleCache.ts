/**
 * The instance's rules, compiled, cached in memory. An entry younger than FRESH_MS is
 * used as is; an older one costs one read of the instance's rule-set revision and is
 * reloaded only when that changed. So a rule change reaches ingest within FRESH_MS
 * plus one request (< 5 s), while a warm cache adds no DynamoDB calls at all.
 */
import { tagMatcher } from '../domain/rules';
import type { MatchableRule } from '../domain/matching';
import type { RuleStore, StoredRule } from './ruleStore';

export const FRESH_MS = 4_000;
const MAX_INSTANCES = 500;
const MAX_PATTERNS = 2_000;

/** A stored rule with its tag pattern compiled once (RE2), ready for matching. */
export type CachedRule = StoredRule & Pick<MatchableRule, 'matchesTag'>;

export interface RuleCache {
  rulesFor(instanceId: string): Promise<CachedRule[]>;
}

export function createRuleCache(deps: {
  store: Pick<RuleStore, 'list' | 'ruleSetRevision'>;
  now?: () => number;
  freshMs?: number;
}): RuleCache {
  const now = deps.now ?? Date.now;
  const freshMs = deps.freshMs ?? FRESH_MS;
  const entries = new Map<string, { rev: number; checkedAt: number; rules: CachedRule[] }>();
  const patterns = new Map<string, (tag: string) => boolean>();

  async function matcherFor(pattern: string): Promise<(tag: string) => boolean> {
    let matcher = patterns.get(pattern);
    if (!matcher) {
      matcher = await tagMatcher(pattern);
      if (patterns.size >= MAX_PATTERNS) patterns.clear();
      patterns.set(pattern, matcher);
    }
    return matcher;
  }

  async function compile(rule: StoredRule): Promise<CachedRule> {
    return { ...rule, matchesTag: await matcherFor(rule.tagPattern) };
  }

  return {
    async rulesFor(instanceId) {
      const entry = entries.get(instanceId);
      const at = now();
      if (entry && at - entry.checkedAt < freshMs) return entry.rules;
      // Read the revision before the rules: a write racing the reload is caught next time.
      const rev = await deps.store.ruleSetRevision(instanceId);
      if (entry && entry.rev === rev) {
        entry.checkedAt = at;
        return entry.rules;
      }
      const rules = rev === 0 ? [] : await Promise.all((await deps.store.list(instanceId)).map(compile));
      if (entries.size >= MAX_INSTANCES) entries.clear();
      entries.set(instanceId, { rev, checkedAt: at, rules });
      return rules;
    },
  };
}
