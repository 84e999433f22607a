/**
 * Events and their deliveries. Ingest writes one item per event: the event carries the
 * snapshot of every delivery it planned (`plan`: rule, target, template), so recording
 * an event is a single conditional PutItem. A delivery's own item under the event
 * (`DELIVERY#ruleId`) only holds what changes — state, attempts, next attempt — and
 * is created by its first transition. A planned delivery without that item is
 * `pending`. Items written before this layout carried every field themselves; merging
 * plan and state reads both. A resume or a redelivery gives the state item a
 * `notifyOverride` (the rule's target at that time), which then replaces the plan's target.
 */
import * as z from 'zod/mini';
import { NOTIFY_METHODS } from '../../../domain/chatMethods';
import { SOURCE_KINDS } from '../../../domain/sources';
import type { DeliveryRecord } from '../../../services/deliveryPorts';
import type { DeliveryState, StoredDelivery, StoredEvent } from '../../../services/eventStore';
import { deliveryStateSchema, epochSeconds, eventIdentityShape, storedNotifySchema } from './common';
import { decode } from './decode';
import { keys } from './keys';
import { attemptShape } from '../../../domain/eventSchemas';

const eventSchema = z.object({
  ...eventIdentityShape,
  receivedAt: z.string(),
  expiresAt: z.string(),
  hash: z.string(),
  rawJson: z.string(),
  matchedRuleIds: z.array(z.string()),
  origin: z.optional(z.object({ sourceId: z.string(), name: z.string(), kind: z.enum(SOURCE_KINDS), index: z.number(), payloadId: z.string() })),
});

const plannedSchema = z.object({
  deliveryId: z.string(),
  eventId: z.string(),
  ruleId: z.string(),
  ruleName: z.string(),
  instanceId: z.string(),
  method: z.enum(NOTIFY_METHODS),
  notify: storedNotifySchema,
  template: z.optional(z.string()),
  createdAt: z.string(),
  expiresAt: z.string(),
});

const attemptSchema = z.object(attemptShape);

/** A delivery as the services see it: its plan overlaid with its state item. */
const deliverySchema = z.extend(plannedSchema, {
  state: deliveryStateSchema,
  attempts: z.array(attemptSchema),
  attemptCount: z.number(),
  attemptBase: z.optional(z.number()),
  nextAttemptAt: z.optional(z.string()),
  deliveredAt: z.optional(z.string()),
  deadReason: z.optional(z.string()),
  requeues: z.optional(z.number()),
});

export type PlannedDelivery = z.output<typeof plannedSchema>;

/** The event item: the event, its planned deliveries, its history entry and (while deliveries wait) its pending and state index entries. */
export function eventToItem(event: StoredEvent, deliveries: StoredDelivery[] = []): Record<string, unknown> {
  return {
    ...keys.event(event.eventId, event.instanceId),
    ...keys.eventHistory(event.instanceId, event.receivedAt, event.eventId),
    ...(deliveries.length > 0 ? keys.pendingEvent(keys.pendingShardOf(event.eventId), event.receivedAt, event.eventId) : {}),
    ...(deliveries.length > 0 ? keys.stateKey('pending', event.receivedAt, event.eventId) : {}),
    type: 'event',
    ...event,
    plan: deliveries.map(toPlan),
    ttl: epochSeconds(event.expiresAt),
  };
}

export const eventFromItem = (item: Record<string, unknown>): StoredEvent => decode(eventSchema, 'event', item, item);

export function toPlan(delivery: StoredDelivery): PlannedDelivery {
  const { state: _s, attempts: _a, ...planned } = delivery;
  return planned;
}

/** The event item's planned deliveries, by rule id (none for an item without a plan, written before plans). */
export function planOf(eventItem: Record<string, unknown> | undefined): Map<string, PlannedDelivery> {
  const plan = eventItem?.plan === undefined || eventItem.plan === null ? [] : decode(z.array(plannedSchema), 'event plan', eventItem.plan, eventItem);
  return new Map(plan.map((p) => [p.ruleId, p]));
}

export const ruleIdOfStateItem = (item: Record<string, unknown>) => keys.ruleIdOfDeliverySk(String(item.sk));

/** The state of a delivery state item (read with a projection of sk, state and expiresAt). */
export const stateOfItem = (item: Record<string, unknown>): DeliveryState => decode(deliveryStateSchema, 'delivery state', item.state, item);

/**
 * A state item left by an earlier event with the same id (an id may be reused once its
 * event expired; state items outlive it until DynamoDB's TTL sweep) belongs to another
 * retention period: it is not this delivery's state.
 */
export const isStateOf = (stateItem: Record<string, unknown>, eventExpiresAt: string) => stateItem.expiresAt === eventExpiresAt;

const isStaleState = (planned: PlannedDelivery | undefined, stateItem: Record<string, unknown>) =>
  planned !== undefined && !isStateOf(stateItem, planned.expiresAt);

/**
 * The state item's `notifyOverride`: the target a resume or a redelivery sent the delivery
 * to (the rule's notify at that time, sealed under the same rule's context), in place of
 * the one the plan captured at match time (SPEC §13: fixing a rule's target and then
 * resuming or redelivering must reach the fixed target). `method` follows it.
 */
export const NOTIFY_OVERRIDE = 'notifyOverride';

/** A delivery as the services see it: the plan, overlaid with its state item if it has one. */
export function deliveryRecord(planned: PlannedDelivery | undefined, stateItem: Record<string, unknown> | undefined): DeliveryRecord | undefined {
  if (!stateItem || isStaleState(planned, stateItem)) return planned ? { ...planned, state: 'pending', attempts: [], attemptCount: 0 } : undefined;
  const { [NOTIFY_OVERRIDE]: override, ...state } = stateItem;
  const merged: Record<string, unknown> = { ...planned, ...state };
  if (typeof merged.notify !== 'object' || merged.notify === null) return undefined; // state of a plan that is gone
  if (override !== undefined) {
    const notify = decode(storedNotifySchema, 'delivery notify override', override, stateItem);
    merged.notify = notify;
    merged.method = notify.method;
  }
  return decode(
    deliverySchema,
    'delivery',
    {
      ...merged,
      attemptCount: typeof stateItem.attemptCount === 'number' ? stateItem.attemptCount : 0,
      attempts: Array.isArray(stateItem.attempts) ? stateItem.attempts : [],
    },
    stateItem,
  );
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
