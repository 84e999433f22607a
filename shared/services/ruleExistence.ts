/**
 * Whether a rule id still names a rule of the instance, for redelivery (SPEC §13): a
 * deleted rule's failed/dead deliveries are never sent again (its target is no longer
 * anyone's), and naming a deleted rule is 404 `RuleNotFound`. One strongly consistent
 * GetItem per distinct rule asked about (a rule deleted a moment ago is already gone), the
 * answer kept for the rest of the request.
 */
import type { RuleStore } from './ruleStore';

export type RuleExists = (ruleId: string) => Promise<boolean>;

export function ruleExistence(rules: Pick<RuleStore, 'get'>, instanceId: string): RuleExists {
  const known = new Map<string, Promise<boolean>>();
  return (ruleId) => {
    let exists = known.get(ruleId);
    if (!exists) {
      exists = rules.get(instanceId, ruleId).then((rule) => rule !== undefined);
      known.set(ruleId, exists);
    }
    return exists;
  };
}
