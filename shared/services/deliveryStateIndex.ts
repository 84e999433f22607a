/**
 * History by delivery state (SPEC §13): events with at least one delivery in a state,
 * newest state change first, read from the state index (gsi4) — never a scan. The index
 * gives candidates; each is checked against the event's current deliveries, so the
 * listing is exact, and each event is listed once: only through its "owner" entry (the
 * event's own entry for deliveries not yet picked up, else its smallest rule id in the state).
 * With a `ruleId` filter, it is that rule's delivery that must be in the state.
 */
import type { DeliveryState, StoredEvent } from './eventStore';
import type { HistoryFilter, HistoryStore, PageKey, StateEntry } from './historyPorts';

const INDEX_BATCH = 100;

/**
 * Which of an event's entries lists it for this state, given its deliveries' current
 * states ('' the event's own entry: deliveries not picked up yet); undefined: not listed.
 * With `ruleId`, only that rule's delivery counts.
 */
export function ownerEntryOf(event: Pick<StoredEvent, 'matchedRuleIds'>, states: readonly { ruleId: string; state: DeliveryState }[], state: DeliveryState, ruleId?: string): string | undefined {
  const stateOf = new Map(states.map((s) => [s.ruleId, s.state]));
  if (ruleId !== undefined) {
    if (!event.matchedRuleIds.includes(ruleId)) return undefined;
    const own = stateOf.get(ruleId);
    if (own === undefined) return state === 'pending' ? '' : undefined;
    return own === state ? ruleId : undefined;
  }
  if (state === 'pending' && event.matchedRuleIds.some((id) => !stateOf.has(id))) return '';
  const inState = event.matchedRuleIds.filter((id) => stateOf.get(id) === state).sort();
  return inState[0];
}

function matchesOtherFilters(event: StoredEvent, filter: HistoryFilter): boolean {
  if (filter.eventType !== undefined && event.eventType !== filter.eventType) return false;
  if (filter.status !== undefined && event.status !== filter.status) return false;
  if (filter.namespace !== undefined && event.namespace !== filter.namespace) return false;
  if (filter.repoName !== undefined && event.repoName !== filter.repoName) return false;
  if (filter.ruleId !== undefined && !event.matchedRuleIds.includes(filter.ruleId)) return false;
  return true;
}

/** A page of events with a delivery in `filter.deliveryState`, exactly, with the other filters applied too. */
export async function pageByDeliveryState(
  store: Pick<HistoryStore, 'stateEntries' | 'getEvent' | 'deliveryStates'>,
  instanceId: string,
  filter: HistoryFilter & { deliveryState: DeliveryState },
  limit: number,
  nowIso: string,
  start?: PageKey,
): Promise<{ events: { event: StoredEvent; states: { ruleId: string; state: DeliveryState }[] }[]; next?: PageKey }> {
  const found: { event: StoredEvent; states: { ruleId: string; state: DeliveryState }[] }[] = [];
  let cursor = start;
  for (;;) {
    const page = await store.stateEntries(instanceId, filter.deliveryState, { limit: INDEX_BATCH, start: cursor });
    for (const entry of page.entries) {
      const listed = await listedBy(store, instanceId, entry, filter, nowIso);
      if (!listed) continue;
      found.push(listed);
      if (found.length === limit) return { events: found, next: entry.key };
    }
    if (!page.next) return { events: found };
    cursor = page.next;
  }
}

async function listedBy(store: Pick<HistoryStore, 'getEvent' | 'deliveryStates'>, instanceId: string, entry: StateEntry, filter: HistoryFilter & { deliveryState: DeliveryState }, nowIso: string) {
  const event = await store.getEvent(instanceId, entry.eventId);
  if (!event || event.expiresAt <= nowIso || !matchesOtherFilters(event, filter)) return undefined;
  const states = await store.deliveryStates(event);
  return ownerEntryOf(event, states, filter.deliveryState, filter.ruleId) === entry.ruleId ? { event, states } : undefined;
}
