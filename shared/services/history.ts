/**
 * Event history and trace (SPEC §4 "History and trace", §7): newest-first listing with
 * filters, one event with its deliveries and attempts, and redelivery of failed/dead
 * deliveries. Expired events are absent everywhere; events of instances the key may not
 * read are 404, so their existence is not revealed.
 */
import { isChatNotify } from './ruleStore';
import type { RuleStore } from './ruleStore';
import { currentTargets } from './currentTargets';
import { canAccessInstance } from '../domain/apiKeys';
import type { Principal } from '../domain/apiKeys';
import { AppError, notFound, ruleNotFound } from '../domain/errors';
import { eventIdentity } from '../domain/cloudEvents';
import type { Attempt } from './deliveryPorts';
import type { DeliveryMessage, DeliveryQueue, DeliveryState, StoredEvent } from './eventStore';
import type { HistoryFilter, HistoryStore } from './historyPorts';
import { decodePageToken, encodePageToken } from './pageToken';
import { pageByDeliveryState } from './deliveryStateIndex';
import type { SourcePayloadStore } from './sourcePorts';

export interface HistoryDeps {
  store: HistoryStore;
  /** Redelivery re-sends only deliveries of rules that still exist, to their current target (see currentTargets.ts). */
  rules: Pick<RuleStore, 'get'>;
  /** Native payloads of events that registry sources produced (SPEC §11). */
  payloads?: Pick<SourcePayloadStore, 'get'>;
  queue: DeliveryQueue;
  tokenKey: () => Promise<Buffer>;
  now?: () => Date;
}

export const eventNotFound = (eventId: string) => notFound('EventNotFound', `No event ${eventId} (events can be looked up for a limited time after receipt).`);

/** One delivery per matched rule; those with no state yet (never attempted) are pending. */
export function deliveryCounts(matchedRuleIds: readonly string[], states: readonly { ruleId: string; state: DeliveryState }[]) {
  const stateOf = new Map(states.map((s) => [s.ruleId, s.state]));
  const counts = { total: matchedRuleIds.length, delivered: 0, pending: 0, failed: 0, dead: 0 };
  for (const ruleId of matchedRuleIds) {
    const state = stateOf.get(ruleId);
    if (state === 'delivered') counts.delivered += 1;
    else if (state === 'failed') counts.failed += 1;
    else if (state === 'dead') counts.dead += 1;
    else counts.pending += 1;
  }
  return counts;
}

/** DynamoDB maps come back in any order; traces read better in the SPEC's. */
function orderedAttempt(attempt: Attempt): Attempt {
  const { n, at, durationMs, outcome, httpStatus, providerCode, providerMessage, error, digestId } = attempt;
  return {
    n,
    at,
    durationMs,
    outcome,
    ...(httpStatus !== undefined ? { httpStatus } : {}),
    ...(providerCode !== undefined ? { providerCode } : {}),
    ...(providerMessage !== undefined ? { providerMessage } : {}),
    ...(error !== undefined ? { error } : {}),
    ...(digestId !== undefined ? { digestId } : {}),
  };
}

function summary(event: StoredEvent, states: readonly { ruleId: string; state: DeliveryState }[]) {
  return {
    ...eventIdentity(event),
    receivedAt: event.receivedAt,
    expiresAt: event.expiresAt,
    matchedRuleIds: event.matchedRuleIds,
    deliveries: deliveryCounts(event.matchedRuleIds, states),
  };
}

export async function listEvents(deps: HistoryDeps, instanceId: string, filter: HistoryFilter, limit: number, nextToken?: string) {
  const key = await deps.tokenKey();
  const start = nextToken !== undefined ? decodePageToken(key, nextToken, instanceId, filter, (raw) => deps.store.resumeKey(instanceId, filter.deliveryState, raw)) : undefined;
  const nowIso = (deps.now?.() ?? new Date()).toISOString();
  const { deliveryState } = filter;
  if (deliveryState !== undefined) {
    const byState = await pageByDeliveryState(deps.store, instanceId, { ...filter, deliveryState }, limit, nowIso, start);
    return {
      events: byState.events.map(({ event, states }) => summary(event, states)),
      nextToken: byState.next ? encodePageToken(key, instanceId, filter, byState.next) : null,
    };
  }
  const page = await deps.store.page(instanceId, filter, limit, nowIso, start);
  // Only the delivery states: the plan is one delivery per matched rule, already on the page.
  const events = await Promise.all(page.events.map(async (e) => summary(e, await deps.store.deliveryStates(e))));
  return { events, nextToken: page.next ? encodePageToken(key, instanceId, filter, page.next) : null };
}

/**
 * The event a caller means. With an instance (the per-instance routes), that instance's
 * event. Without one (GET /v1/events/{eventId}), the event with this id among the
 * instances the key may read; ids are unique per instance only, so when several of them
 * hold it the caller must say which (409 EventIdAmbiguous naming them, all readable by
 * this key). Events of other instances are never looked at: 404, as if absent.
 */
async function visibleEvent(deps: HistoryDeps, principal: Principal, eventId: string, instanceId?: string): Promise<StoredEvent> {
  const now = (deps.now?.() ?? new Date()).toISOString();
  if (instanceId !== undefined) {
    const event = canAccessInstance(principal, instanceId) ? await deps.store.getEvent(instanceId, eventId) : undefined;
    if (!event || event.expiresAt <= now) throw eventNotFound(eventId);
    return event;
  }
  // One per instance: an item recorded before ids were per instance and its re-sent copy
  // are the same instance's id; the newer one is meant.
  const byInstance = new Map<string, StoredEvent>();
  for (const e of await deps.store.findEvents(eventId)) {
    if (e.expiresAt <= now || !canAccessInstance(principal, e.instanceId)) continue;
    const seen = byInstance.get(e.instanceId);
    if (!seen || seen.receivedAt < e.receivedAt) byInstance.set(e.instanceId, e);
  }
  const candidates = [...byInstance.values()];
  const [only, ...others] = candidates;
  if (!only) throw eventNotFound(eventId);
  if (others.length > 0) throw eventIdAmbiguous(eventId, candidates.map((e) => e.instanceId));
  return only;
}

export const eventIdAmbiguous = (eventId: string, instanceIds: readonly string[]) =>
  new AppError('EventIdAmbiguous', 409, `Several of your instances have an event ${eventId}; ask for it under one: /v1/instances/{instanceId}/events/{eventId}.`, {
    details: [...instanceIds].sort().map((id) => ({ path: 'path.eventId', message: `held by instance ${id}` })),
  });

export async function getEventTrace(deps: HistoryDeps, principal: Principal, eventId: string, instanceId?: string) {
  const event = await visibleEvent(deps, principal, eventId, instanceId);
  const deliveries = await deps.store.deliveriesOf(eventId, event.instanceId);
  const source = event.origin ? await sourceOf(deps, event.origin) : undefined;
  return {
    ...summary(event, deliveries),
    event: JSON.parse(event.rawJson) as unknown,
    ...(source ? { source } : {}),
    deliveries: deliveries.map((d) => ({
      ruleId: d.ruleId,
      ruleName: d.ruleName,
      method: d.method,
      target: isChatNotify(d.notify) ? d.notify.webhookUrlMasked : d.notify.url,
      state: d.state,
      attempts: d.attempts.map(orderedAttempt),
      ...(d.deliveredAt ? { deliveredAt: d.deliveredAt } : {}),
      ...(d.nextAttemptAt && ['pending', 'retrying', 'throttled'].includes(d.state) ? { nextAttemptAt: d.nextAttemptAt } : {}),
      ...(d.deadReason ? { deadReason: d.deadReason } : {}),
    })),
  };
}

/** Events a registry source produced: which source, the item's index, and the native payload as received. */
async function sourceOf(deps: HistoryDeps, origin: NonNullable<StoredEvent['origin']>) {
  const stored = await deps.payloads?.get(origin.payloadId, (deps.now?.() ?? new Date()).toISOString());
  return {
    sourceId: origin.sourceId,
    name: origin.name,
    kind: origin.kind,
    index: origin.index,
    payload: stored ? (JSON.parse(stored.json) as unknown) : null,
  };
}

/**
 * Reopens an event's failed/dead deliveries (one rule's, or all) and queues them. A rule
 * that does not exist (any more) is 404 `RuleNotFound` when named, and skipped otherwise:
 * a deleted rule's target is sent nothing again.
 */
export async function redeliver(deps: HistoryDeps, principal: Principal, eventId: string, ruleId?: string, instanceId?: string): Promise<{ requeued: string[] }> {
  const event = await visibleEvent(deps, principal, eventId, instanceId);
  const targetOf = currentTargets(deps.rules, event.instanceId);
  if (ruleId !== undefined && !(await targetOf(ruleId))) throw ruleNotFound(ruleId);
  const deliveries = (await deps.store.deliveriesOf(eventId, event.instanceId)).filter((d) => ruleId === undefined || d.ruleId === ruleId);
  // A rule the event has no delivery for is unknown here: say so instead of queueing nothing.
  if (ruleId !== undefined && deliveries.length === 0) throw ruleNotFound(ruleId);
  const closed = deliveries.filter((d) => d.state === 'failed' || d.state === 'dead');
  const targets = await Promise.all(closed.map((d) => targetOf(d.ruleId)));
  const nowIso = (deps.now?.() ?? new Date()).toISOString();
  const requeued: DeliveryMessage[] = [];
  for (const [n, d] of closed.entries()) {
    const target = targets[n];
    if (target && (await deps.store.reopen(eventId, d.ruleId, event.instanceId, nowIso, target))) {
      requeued.push({ eventId, instanceId: event.instanceId, ruleId: d.ruleId, deliveryId: d.deliveryId });
    }
  }
  // Anything that could not be queued is back in the pending index: the reconciler sends it.
  if (requeued.length > 0) await deps.queue.send(requeued);
  return { requeued: requeued.map((m) => m.ruleId) };
}
