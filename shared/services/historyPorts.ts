/** What the history and trace use cases need from storage. */
import type { DeliveryRecord } from './deliveryPorts';
import type { DeliveryState, StoredEvent } from './eventStore';
import type { StoredNotify } from './ruleStore';

export interface HistoryFilter {
  ruleId?: string;
  eventType?: string;
  status?: string;
  namespace?: string;
  repoName?: string;
  /** Events with at least one delivery in this state (SPEC §13). */
  deliveryState?: DeliveryState;
}

export type PageKey = Record<string, string>;

/** An entry of the state index (gsi4): a delivery (or, with ruleId '', an event's not-yet-picked-up deliveries) in a state. */
export interface StateEntry {
  eventId: string;
  ruleId: string;
  state: DeliveryState;
  /** When it reached the state (ISO). */
  at: string;
  /** Where a listing resumes right after this entry. */
  key: PageKey;
}

export interface HistoryPage {
  events: StoredEvent[];
  /** Where the next page starts; undefined at the end of the index. */
  next?: PageKey;
}

export interface HistoryStore {
  /** Newest first; filtered server-side; reads on until `limit` matches or the index ends. */
  page(instanceId: string, filter: HistoryFilter, limit: number, nowIso: string, start?: PageKey): Promise<HistoryPage>;
  /**
   * The resume key a page token carried, if it is one this instance's listing could have
   * produced (history, or the state index when `deliveryState` is set); else undefined.
   */
  resumeKey(instanceId: string, deliveryState: DeliveryState | undefined, raw: Record<string, unknown>): PageKey | undefined;
  /** One instance's event with this id (ids are unique per instance). */
  getEvent(instanceId: string, eventId: string): Promise<StoredEvent | undefined>;
  /** Every instance's event with this id (expired ones included: the caller filters). */
  findEvents(eventId: string): Promise<StoredEvent[]>;
  deliveriesOf(eventId: string, instanceId: string): Promise<DeliveryRecord[]>;
  /** Only the states of deliveries that have been attempted (planned ones without a state are pending). */
  deliveryStates(event: Pick<StoredEvent, 'eventId' | 'expiresAt'>): Promise<{ ruleId: string; state: DeliveryState }[]>;
  /** failed/dead → pending again (attempt numbering continues), to `notify` (the rule's target now); false if not reopenable. */
  reopen(eventId: string, ruleId: string, instanceId: string, nowIso: string, notify: StoredNotify): Promise<boolean>;
  /**
   * One page of the instance's state index for a state, newest first, optionally only
   * entries that reached it within [since, until] (a Query of gsi4, never a scan).
   */
  stateEntries(
    instanceId: string,
    state: DeliveryState,
    opts: { limit: number; start?: PageKey | undefined; since?: string | undefined; until?: string | undefined },
  ): Promise<{ entries: StateEntry[]; next?: PageKey }>;
}
