/**
 * The current target of a rule of the instance, for redelivery (SPEC §13): a deleted
 * rule's failed/dead deliveries are never sent again (its target is no longer anyone's),
 * naming a deleted rule is 404 `RuleNotFound`, and what is sent again goes to the rule's
 * target as it is now (the user fixed the endpoint, then redelivers). One strongly
 * consistent GetItem per distinct rule asked about (a rule deleted a moment ago is already
 * gone), the answer kept for the rest of the request.
 */
import type { RuleStore, StoredNotify } from './ruleStore';

/** The rule's current notify block, or undefined when the rule does not exist (any more). */
export type CurrentTarget = (ruleId: string) => Promise<StoredNotify | undefined>;

export function currentTargets(rules: Pick<RuleStore, 'get'>, instanceId: string): CurrentTarget {
  const known = new Map<string, Promise<StoredNotify | undefined>>();
  return (ruleId) => {
    let target = known.get(ruleId);
    if (!target) {
      target = rules.get(instanceId, ruleId).then((rule) => rule?.notify);
      known.set(ruleId, target);
    }
    return target;
  };
}
