/**
 * Ingest (SPEC §4 "Events (ingest)", §5): validate, authorise per event, match against
 * the cached rules, record event + deliveries atomically (de-duplicating by id and
 * content hash), then fan out one queue message per delivery. Anything that could not
 * be queued stays `pending` for the reconciler (outbox), so nothing is lost.
 */
import { deliveryIdOf } from '../domain/deliveryId';
import { canAccessInstance } from '../domain/apiKeys';
import type { Principal } from '../domain/apiKeys';
import { eventIdentity, parseRegistryEvent } from '../domain/cloudEvents';
import type { RegistryEvent } from '../domain/cloudEvents';
import { AppError, forbidden, validationFailed } from '../domain/errors';
import { jsonDepth, MAX_JSON_DEPTH, tooDeepDetail } from '../domain/jsonDepth';
import type { ErrorDetail } from '../domain/errors';
import { matchRules } from '../domain/matching';
import type { DeliveryMessage, DeliveryQueue, EventStore, StoredDelivery, StoredEvent } from './eventStore';
import type { CachedRule, RuleCache } from './ruleCache';
import type { MetricsSink } from '../observability/metrics';

export interface IngestDeps {
  events: EventStore;
  queue: DeliveryQueue;
  rules: RuleCache;
  retentionSeconds: number;
  now?: () => Date;
  log?: (message: string, fields: Record<string, unknown>) => void;
  metrics?: MetricsSink;
}

/** Why an item was refused, as the error envelope (SPEC §4) carries it. */
export interface ItemError {
  code: string;
  message: string;
  details?: ErrorDetail[];
}

/** Recorded now, its deliveries planned. */
export interface AcceptedItem {
  index: number;
  eventId: string;
  status: 'accepted';
  matchedRuleIds: string[];
  expiresAt: string;
}

/** Received before with the same content: what was decided then. */
export interface DuplicateItem {
  index: number;
  eventId: string;
  status: 'duplicate';
  matchedRuleIds: string[];
  expiresAt: string;
}

/** Refused: `httpStatus` is what a one-event request answers with, `error` the envelope's body. */
export interface RejectedItem {
  index: number;
  eventId?: string;
  status: 'rejected';
  httpStatus: number;
  error: ItemError;
}

/** One result per item, in the items' order: results are data, never thrown. */
export type IngestResult = AcceptedItem | DuplicateItem | RejectedItem;

/** An item's result as a batch reply lists it: the status a lone request would answer with is left out. */
export type ListedResult = AcceptedItem | DuplicateItem | Omit<RejectedItem, 'httpStatus'>;

export function listedResult(result: IngestResult): ListedResult {
  if (result.status !== 'rejected') return result;
  const { httpStatus: _status, ...listed } = result;
  return listed;
}

export const eventIdConflict = (eventId: string): AppError =>
  new AppError('EventIdConflict', 409, `An event with id ${eventId} and different content was already received.`);

export { deliveryIdOf };

/** What an event record may weigh: DynamoDB's 400 KB item limit, less room for keys and attribute names. */
export const MAX_RECORD_BYTES = 390_000;

const recordSize = (entry: { event: StoredEvent; deliveries: StoredDelivery[] }) =>
  Buffer.byteLength(entry.event.rawJson) + Buffer.byteLength(JSON.stringify(entry.deliveries)) + 2_000;

function rejected(index: number, error: AppError, eventId?: string): RejectedItem {
  return {
    index,
    ...(eventId !== undefined ? { eventId } : {}),
    status: 'rejected',
    httpStatus: error.status,
    error: { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) },
  };
}

function idOf(input: unknown): string | undefined {
  const id = input && typeof input === 'object' ? (input as { id?: unknown }).id : undefined;
  return typeof id === 'string' && id.length <= 128 ? id : undefined;
}

/**
 * `parse` turns one input into an event (throwing an AppError to reject it): CloudEvents
 * by default; registry sources (services/sourceEvents.ts) pass events they mapped already.
 */
export async function ingestEvents<T = unknown>(
  deps: IngestDeps,
  principal: Principal,
  inputs: readonly T[],
  parse: (input: T, receivedAt: Date) => RegistryEvent = parseRegistryEvent,
): Promise<IngestResult[]> {
  const receivedAt = deps.now?.() ?? new Date();
  const expiresAt = new Date(receivedAt.getTime() + deps.retentionSeconds * 1000).toISOString();
  const results: IngestResult[] = new Array<IngestResult>(inputs.length);
  const valid: { index: number; event: RegistryEvent }[] = [];

  inputs.forEach((input, index) => {
    // Before anything recursive (schema checks, hashing) touches it; only this item is refused.
    if (jsonDepth(input) > MAX_JSON_DEPTH) {
      results[index] = rejected(index, validationFailed([tooDeepDetail]), idOf(input));
      return;
    }
    try {
      const event = parse(input, receivedAt);
      if (!canAccessInstance(principal, event.instanceId)) {
        results[index] = rejected(index, forbidden(`This API key may not send events for ${event.instanceId}.`), event.eventId);
      } else {
        valid.push({ index, event });
      }
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      results[index] = rejected(index, error, idOf(input));
    }
  });

  const instances = [...new Set(valid.map((v) => v.event.instanceId))];
  const rulesByInstance = new Map<string, CachedRule[]>(
    await Promise.all(instances.map(async (id) => [id, await deps.rules.rulesFor(id)] as const)),
  );

  const entries = valid.map(({ event, index }) => {
    const matched = matchRules(rulesByInstance.get(event.instanceId) ?? [], event);
    const stored: StoredEvent = {
      ...eventIdentity(event),
      receivedAt: receivedAt.toISOString(),
      expiresAt,
      hash: event.hash,
      rawJson: JSON.stringify(event.raw),
      matchedRuleIds: matched.map((r) => r.ruleId),
      ...(event.origin ? { origin: event.origin } : {}),
    };
    const deliveries: StoredDelivery[] = matched.map((rule) => ({
      deliveryId: deliveryIdOf(event.eventId, rule.ruleId),
      eventId: event.eventId,
      ruleId: rule.ruleId,
      ruleName: rule.ruleName,
      instanceId: rule.instanceId,
      method: rule.notify.method,
      notify: rule.notify,
      ...(rule.template !== undefined ? { template: rule.template } : {}),
      state: 'pending',
      attempts: [],
      createdAt: receivedAt.toISOString(),
      expiresAt,
    }));
    return { event: stored, deliveries, hash: event.hash, index };
  });

  // An event is one item with its planned deliveries; DynamoDB caps an item at 400 KB.
  const recordable = entries.filter((entry) => {
    if (recordSize(entry) <= MAX_RECORD_BYTES) return true;
    const error = new AppError(
      'PayloadTooLarge',
      413,
      `Event ${entry.event.eventId} with its ${entry.deliveries.length} matched rules is too large to record; send a smaller event.`,
    );
    results[entry.index] = rejected(entry.index, error, entry.event.eventId);
    return false;
  });

  const outcomes = recordable.length > 0 ? await deps.events.record(recordable) : [];
  const messages: DeliveryMessage[] = [];
  outcomes.forEach((outcome, i) => {
    const entry = recordable[i];
    if (!entry) return;
    const { index } = entry;
    if (outcome.outcome === 'recorded') {
      results[index] = { index, eventId: entry.event.eventId, status: 'accepted', matchedRuleIds: entry.event.matchedRuleIds, expiresAt };
      for (const d of entry.deliveries) messages.push({ eventId: d.eventId, instanceId: d.instanceId, ruleId: d.ruleId, deliveryId: d.deliveryId });
    } else if (outcome.existing.hash === entry.hash) {
      results[index] = { index, eventId: entry.event.eventId, status: 'duplicate', matchedRuleIds: outcome.existing.matchedRuleIds, expiresAt: outcome.existing.expiresAt };
    } else {
      results[index] = rejected(index, eventIdConflict(entry.event.eventId), entry.event.eventId);
    }
  });

  if (messages.length > 0) {
    const unsent = await deps.queue.send(messages);
    if (unsent.length > 0) {
      deps.log?.('deliveries left pending for the reconciler', { unsent: unsent.length, eventIds: [...new Set(unsent.map((m) => m.eventId))].slice(0, 10) });
    }
  }
  const accepted = results.filter((r) => r.status === 'accepted');
  deps.metrics?.({
    EventsIngested: accepted.length,
    EventsMatched: accepted.filter((r) => r.status === 'accepted' && r.matchedRuleIds.length > 0).length,
    EventsDuplicate: results.filter((r) => r.status === 'duplicate').length,
    EventsRejected: results.filter((r) => r.status === 'rejected').length,
  });
  deps.log?.('events ingested', {
    received: inputs.length,
    accepted: accepted.length,
    duplicate: results.filter((r) => r.status === 'duplicate').length,
    rejected: results.filter((r) => r.status === 'rejected').length,
    matched: accepted.filter((r) => r.status === 'accepted' && r.matchedRuleIds.length > 0).length,
    deliveries: messages.length,
  });
  return results;
}
