/**
 * Where a delivery lives. Ingest writes one item per event: the event carries the
 * snapshot of every delivery it planned (`plan`: rule, target, template), so recording
 * an event is a single conditional PutItem. A delivery's own item under the event
 * (`DELIVERY#ruleId`) only holds what changes — state, attempts, next attempt — and
 * is created by its first transition. A planned delivery without that item is
 * `pending`. Items written before this layout carried every field themselves; merging
 * plan and state reads both.
 */
import type { DeliveryRecord } from '../../services/deliveryPorts';
import type { StoredDelivery } from '../../services/eventStore';
import { keys } from './keys';

export type PlannedDelivery = Omit<StoredDelivery, 'state' | 'attempts'>;

export const epochSeconds = (iso: string) => Math.floor(Date.parse(iso) / 1000);

export function toPlan(delivery: StoredDelivery): PlannedDelivery {
  const { state: _s, attempts: _a, ...planned } = delivery;
  return planned;
}

/** The event item's planned deliveries, by rule id. */
export function planOf(eventItem: Record<string, unknown> | undefined): Map<string, PlannedDelivery> {
  const plan = Array.isArray(eventItem?.plan) ? (eventItem.plan as PlannedDelivery[]) : [];
  return new Map(plan.map((p) => [p.ruleId, p]));
}

export const ruleIdOfStateItem = (item: Record<string, unknown>) => String(item.sk).slice(keys.deliveryPrefix.length);

/**
 * A state item left by an earlier event with the same id (an id may be reused once its
 * event expired; state items outlive it until DynamoDB's TTL sweep) belongs to another
 * retention period: it is not this delivery's state.
 */
export const isStateOf = (stateItem: Record<string, unknown>, eventExpiresAt: string) => stateItem.expiresAt === eventExpiresAt;

const isStaleState = (planned: PlannedDelivery | undefined, stateItem: Record<string, unknown>) =>
  planned !== undefined && !isStateOf(stateItem, planned.expiresAt);

/** A delivery as the services see it: the plan, overlaid with its state item if it has one. */
export function deliveryRecord(planned: PlannedDelivery | undefined, stateItem: Record<string, unknown> | undefined): DeliveryRecord | undefined {
  if (!stateItem || isStaleState(planned, stateItem)) return planned ? { ...planned, state: 'pending', attempts: [], attemptCount: 0 } : undefined;
  const { pk: _pk, sk: _sk, gsi2pk: _a, gsi2sk: _b, type: _t, ttl: _ttl, lastRequeuedAt: _l, stateKey: _k, gsi3pk: _h1, gsi3sk: _h2, ...state } = stateItem;
  const merged = { ...planned, ...state } as unknown as DeliveryRecord;
  if (typeof merged.notify !== 'object' || merged.notify === null) return undefined; // state of a plan that is gone
  return {
    ...merged,
    attemptCount: typeof stateItem.attemptCount === 'number' ? stateItem.attemptCount : 0,
    attempts: Array.isArray(stateItem.attempts) ? stateItem.attempts : [],
  };
}

/**
 * Every delivery of one event from the items of its partition (the partition is the
 * event id: it may hold the events of several instances, each with its own rules' state
 * items, so only this event's rules are read).
 */
export function deliveriesOfPartition(items: Record<string, unknown>[], eventSk: string): DeliveryRecord[] {
  const eventItem = items.find((i) => i.sk === eventSk);
  if (!eventItem) return [];
  const plan = planOf(eventItem);
  const matched = Array.isArray(eventItem.matchedRuleIds) ? eventItem.matchedRuleIds.map(String) : [];
  const ours = new Set([...plan.keys(), ...matched]);
  const states = new Map(
    items.filter((i) => String(i.sk).startsWith(keys.deliveryPrefix) && ours.has(ruleIdOfStateItem(i))).map((i) => [ruleIdOfStateItem(i), i]),
  );
  const ruleIds = [...new Set([...plan.keys(), ...states.keys()])].sort();
  return ruleIds.map((id) => deliveryRecord(plan.get(id), states.get(id))).filter((d): d is DeliveryRecord => d !== undefined);
}
