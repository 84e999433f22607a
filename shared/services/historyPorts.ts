/** What the history and trace use cases need from storage. */
import type { DeliveryRecord } from './deliveryPorts';
import type { DeliveryState, StoredEvent } from './eventStore';

export interface HistoryFilter {
  ruleId?: string;
  eventType?: string;
  status?: string;
  namespace?: string;
  repoName?: string;
}

export type PageKey = Record<string, string>;

export interface HistoryPage {
  events: StoredEvent[];
  /** Where the next page starts; undefined at the end of the index. */
  next?: PageKey;
}

export interface HistoryStore {
  /** Newest first; filtered server-side; reads on until `limit` matches or the index ends. */
  page(instanceId: string, filter: HistoryFilter, limit: number, nowIso: string, start?: PageKey): Promise<HistoryPage>;
  /** One instance's event with this id (ids are unique per instance). */
  getEvent(instanceId: string, eventId: string): Promise<StoredEvent | undefined>;
  /** Every instance's event with this id (expired ones included: the caller filters). */
  findEvents(eventId: string): Promise<StoredEvent[]>;
  deliveriesOf(eventId: string, instanceId: string): Promise<DeliveryRecord[]>;
  /** Only the states of deliveries that have been attempted (planned ones without a state are pending). */
  deliveryStates(event: Pick<StoredEvent, 'eventId' | 'expiresAt'>): Promise<{ ruleId: string; state: DeliveryState }[]>;
  /** failed/dead → pending again (attempt numbering continues); false if not reopenable. */
  reopen(eventId: string, ruleId: string, instanceId: string, nowIso: string): Promise<boolean>;
}
