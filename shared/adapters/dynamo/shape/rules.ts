/**
 * An instance's partition (`INST#id`): its rules, one name lock per rule name, the
 * rule-set revision, each rule's health, the alert target; and the region quota counter.
 */
import * as z from 'zod/mini';
import { HEALTH_SLOTS } from '../../../domain/circuitBreaker';
import type { HourSlot } from '../../../domain/circuitBreaker';
import type { StoredRuleHealth } from '../../../services/ruleHealthPorts';
import type { StoredNotify, StoredRule } from '../../../services/ruleStore';
import { eventStatusSchema, eventTypeSchema, storedNotifySchema } from './common';
import { decode } from './decode';
import { keys } from './keys';

const storedScopeSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('INSTANCE') }),
  z.object({ type: z.literal('NAMESPACE'), namespaces: z.array(z.string()) }),
  z.object({ type: z.literal('REPO'), namespace: z.string(), repoNames: z.array(z.string()) }),
]);

const ruleSchema = z.object({
  ruleId: z.string(),
  instanceId: z.string(),
  ruleName: z.string(),
  regionId: z.string(),
  eventTypes: z.array(eventTypeSchema),
  eventStatuses: z.optional(z.array(eventStatusSchema)),
  scope: storedScopeSchema,
  tagPattern: z.string(),
  notify: storedNotifySchema,
  template: z.optional(z.string()),
  enabled: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
  version: z.number(),
});

export const ruleToItem = (rule: StoredRule) => ({ ...keys.rule(rule.instanceId, rule.ruleId), type: 'rule', ...rule });
export const ruleFromItem = (item: Record<string, unknown>): StoredRule => decode(ruleSchema, 'rule', item, item);

/** The lock that keeps a rule name unique in its instance: it names the rule holding it. */
export const ruleNameLockItem = (instanceId: string, ruleName: string, ruleId: string) => ({ ...keys.ruleName(instanceId, ruleName), type: 'ruleName', ruleId });

/** The region quota counter (`used`, changed only by rule transactions); no item yet is 0. */
export const regionUsageOf = (item: Record<string, unknown> | undefined): number => (typeof item?.used === 'number' ? item.used : 0);

/** The instance's rule-set revision (`rev`, added to by every rule write); no item yet is 0. */
export const ruleSetRevisionOf = (item: Record<string, unknown> | undefined): number => (typeof item?.rev === 'number' ? item.rev : 0);

export const alertTargetToItem = (instanceId: string, notify: StoredNotify, updatedAt: string) => ({ ...keys.alertTarget(instanceId), type: 'alertTarget', notify, updatedAt });

/** The alert target's notify block: any method a rule can use (SPEC §13). */
export function alertTargetFromItem(item: Record<string, unknown> | undefined): StoredNotify | undefined {
  if (!item) return undefined;
  return decode(storedNotifySchema, 'alert target', item.notify, item);
}

/**
 * A rule's health item (`HEALTH#ruleId`), built up by UpdateItems: any attribute may be
 * absent (no failures yet, no slot of that hour). The last-24h counts live in 24 hour
 * slots (`h<n>` the slot's epoch hour, `d<n>`/`f<n>`/`x<n>` delivered/failed/dead).
 */
export function ruleHealthFromItem(item: Record<string, unknown>): StoredRuleHealth {
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const num = (v: unknown) => (typeof v === 'number' ? v : 0);
  const slots: HourSlot[] = [];
  for (let n = 0; n < HEALTH_SLOTS; n += 1) {
    if (typeof item[`h${n}`] === 'number') slots.push({ hour: num(item[`h${n}`]), delivered: num(item[`d${n}`]), failed: num(item[`f${n}`]), dead: num(item[`x${n}`]) });
  }
  const optional = (name: 'failingSince' | 'suspendedAt' | 'suspendReason' | 'lastDeliveredAt' | 'lastFailureAt') => {
    const value = str(item[name]);
    return value !== undefined ? { [name]: value } : {};
  };
  return {
    consecutiveFailures: num(item.consecutiveFailures),
    ...optional('failingSince'),
    ...optional('suspendedAt'),
    ...optional('suspendReason'),
    ...optional('lastDeliveredAt'),
    ...optional('lastFailureAt'),
    slots,
  };
}

/** The counter attribute names of a rule health slot, by closing state. */
export const HEALTH_COUNTER = { delivered: 'd', failed: 'f', dead: 'x' } as const;
