/** What ingest and the reconciler need from storage. */
import type { EventIdentity } from '../domain/cloudEvents';
import type { EventOrigin } from '../domain/sources';
import type { StoredNotify } from './ruleStore';

export interface StoredEvent extends EventIdentity {
  receivedAt: string;
  expiresAt: string;
  hash: string;
  /** The CloudEvent as received, serialised exactly once. */
  rawJson: string;
  matchedRuleIds: string[];
  /** The registry source that produced the event, with its native payload (SPEC §11). */
  origin?: EventOrigin;
}

/** `suspended`: held by its suspended rule (SPEC §13), not attempted until the rule resumes. */
export type { DeliveryState } from '../domain/deliveryStates';
import type { DeliveryState } from '../domain/deliveryStates';

/** One delivery per (event, matched rule); the rule's target is snapshotted at match time. */
export interface StoredDelivery {
  deliveryId: string;
  eventId: string;
  ruleId: string;
  ruleName: string;
  instanceId: string;
  method: StoredNotify['method'];
  notify: StoredNotify;
  template?: string;
  state: DeliveryState;
  attempts: unknown[];
  createdAt: string;
  expiresAt: string;
}

export type RecordOutcome =
  | { eventId: string; outcome: 'recorded' }
  | { eventId: string; outcome: 'exists'; existing: StoredEvent };

export interface EventStore {
  /**
   * Records each event with its deliveries atomically, unless an unexpired event with
   * the same id exists (then returns it). Batches are packed into few transactions.
   */
  record(entries: { event: StoredEvent; deliveries: StoredDelivery[] }[]): Promise<RecordOutcome[]>;
}

export interface DeliveryMessage {
  eventId: string;
  /** Event ids are unique per instance; absent only for events recorded before that. */
  instanceId?: string;
  ruleId: string;
  deliveryId: string;
  /** A re-driven retry: the attempt count its retry chain continues from. */
  expect?: number;
  /** A re-drive: the re-drive count it was claimed with (QueueMessage.redrive). */
  redrive?: number;
}

export interface DeliveryQueue {
  /** Sends messages (batched ≤ 10); returns the ones that could not be sent. */
  send(messages: DeliveryMessage[]): Promise<DeliveryMessage[]>;
}

/** An entry of the pending index. */
export interface PendingDelivery {
  eventId: string;
  /** The event's instance, when the entry is an event item (undefined: a legacy item). */
  instanceId?: string;
  /** Absent when the entry is an event: its planned deliveries not yet picked up. */
  ruleId?: string;
  queuedAt: string;
  /** Set when the entry is a DingTalk mailbox item waiting for its chatbot's flush. */
  botId?: string;
}

export interface PendingIndex {
  /** Entries pending since before `cutoff` (sparse index, not a scan). */
  stuckSince(cutoff: string, limit: number): Promise<PendingDelivery[]>;
  /**
   * Claims a stuck entry for re-queueing (conditional: exactly one claimer wins) and
   * returns the deliveries to queue again — none when everything was picked up meanwhile
   * (the entry then leaves the index).
   */
  claim(pending: PendingDelivery, now: string): Promise<DeliveryMessage[]>;
}
