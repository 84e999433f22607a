/**
 * Every key of the single table and every parser of one, so each access pattern is
 * visible at a glance (see resources/table.yml for the indexes, and index.ts for the
 * table of item kinds).
 */
import { createHash } from 'node:crypto';
import type { DeliveryState, PendingDelivery } from '../../../services/eventStore';
import type { PageKey } from '../../../services/historyPorts';

export type TableKey = { pk: string; sk: string };

const EVENT = 'EVENT#';
const BOT = 'BOT#';
const MAIL = 'MAIL#';
const PENDING_SHARDS = 4;

export const keys = {
  apiKey: (keyId: string) => ({ pk: `APIKEY#${keyId}`, sk: 'APIKEY' }),
  /** gsi1: all API keys, newest last. */
  apiKeyListing: (createdAt: string, keyId: string) => ({ gsi1pk: 'APIKEYS', gsi1sk: `${createdAt}#${keyId}` }),
  apiKeyListingPartition: 'APIKEYS',
  /** A console session, by the SHA-256 of its cookie token (never the token itself). */
  session: (tokenHash: string) => ({ pk: `SESSION#${tokenHash}`, sk: 'SESSION' }),
  instancePartition: (instanceId: string) => `INST#${instanceId}`,
  rule: (instanceId: string, ruleId: string) => ({ pk: `INST#${instanceId}`, sk: `RULE#${ruleId}` }),
  rulePrefix: 'RULE#',
  /** Uniqueness of rule names per instance: one lock item per name. */
  ruleName: (instanceId: string, ruleName: string) => ({ pk: `INST#${instanceId}`, sk: `RULENAME#${ruleName}` }),
  /** Bumped by every rule write of an instance, so a rule cache can check freshness with one read. */
  ruleSet: (instanceId: string) => ({ pk: `INST#${instanceId}`, sk: 'RULESET' }),
  /** Rules per region, the quota counter. */
  regionQuota: (regionId: string) => ({ pk: `REGION#${regionId}`, sk: 'QUOTA' }),
  /** A registry source (SPEC §11), found by its id when its token is presented. */
  source: (sourceId: string) => ({ pk: `SOURCE#${sourceId}`, sk: 'SOURCE' }),
  /** gsi1: an instance's sources, oldest first. */
  sourceListing: (instanceId: string, createdAt: string, sourceId: string) => ({ gsi1pk: `INST#${instanceId}#SOURCES`, gsi1sk: `${createdAt}#${sourceId}` }),
  sourceListingPartition: (instanceId: string) => `INST#${instanceId}#SOURCES`,
  /** A source's native payload, stored once per request and referenced by the events it yielded. */
  sourcePayload: (payloadId: string) => ({ pk: `PAYLOAD#${payloadId}`, sk: 'PAYLOAD' }),
  /**
   * An event of one instance. Event ids are unique per instance (SPEC §4 v2): the
   * partition is the id, the sort key the instance, so the same id under two instances
   * is two items, and an id can still be looked up across the instances a key may read
   * with one Query. Items written before ids were per instance have `sk = 'EVENT'`
   * (no instance): `instanceId` undefined addresses them, and they keep reading.
   */
  event: (eventId: string, instanceId: string | undefined) => ({ pk: `${EVENT}${eventId}`, sk: instanceId === undefined ? 'EVENT' : `${EVENT}${instanceId}` }),
  eventPartition: (eventId: string) => `${EVENT}${eventId}`,
  /** Every event item of a partition (all instances, and a legacy item) has a sort key starting with this. */
  eventSkPrefix: 'EVENT',
  /** The instance an event item's sort key names; undefined for a legacy item. */
  instanceOfEventSk: (sk: string): string | undefined => (sk.startsWith(EVENT) ? sk.slice(EVENT.length) : undefined),
  /** Rule ids belong to one instance, so a delivery's key needs no instance. */
  delivery: (eventId: string, ruleId: string) => ({ pk: `${EVENT}${eventId}`, sk: `DELIVERY#${ruleId}` }),
  deliveryPrefix: 'DELIVERY#',
  /** The rule of a delivery state item, from its sort key. */
  ruleIdOfDeliverySk: (sk: string) => sk.slice('DELIVERY#'.length),
  /** gsi1: an instance's events, newest last by receipt (history). */
  eventHistory: (instanceId: string, receivedAt: string, eventId: string) => ({
    gsi1pk: `INST#${instanceId}#EVENTS`,
    gsi1sk: `${receivedAt}#${eventId}`,
  }),
  historyPartition: (instanceId: string) => `INST#${instanceId}#EVENTS`,
  /**
   * gsi2 (sparse): every open delivery, by when it is due — events whose planned
   * deliveries have not all been picked up yet (by receipt), and the state item of
   * every delivery still pending, retrying or throttled (by its next attempt).
   */
  pendingShards: PENDING_SHARDS,
  /** The pending-index shard of an event's entries (a hash of its id). */
  pendingShardOf: (eventId: string): number => (createHash('sha256').update(eventId).digest()[0] ?? 0) % PENDING_SHARDS,
  pendingEvent: (shard: number, queuedAt: string, eventId: string) => ({
    gsi2pk: `PENDING#${shard}`,
    gsi2sk: `${queuedAt}#${eventId}`,
  }),
  pending: (shard: number, queuedAt: string, eventId: string, ruleId: string) => ({
    gsi2pk: `PENDING#${shard}`,
    gsi2sk: `${queuedAt}#${eventId}#${ruleId}`,
  }),
  pendingPartition: (shard: number) => `PENDING#${shard}`,
  /** A rule's health and circuit-breaker state (SPEC §13), beside the rule. */
  ruleHealth: (instanceId: string, ruleId: string) => ({ pk: `INST#${instanceId}`, sk: `HEALTH#${ruleId}` }),
  ruleHealthPrefix: 'HEALTH#',
  ruleIdOfHealthSk: (sk: string) => sk.slice('HEALTH#'.length),
  /** The instance's alert target (SPEC §13). */
  alertTarget: (instanceId: string) => ({ pk: `INST#${instanceId}`, sk: 'ALERTS' }),
  /**
   * gsi3 (sparse): the deliveries a suspended rule holds, by expiry, so resume finds them
   * all (within retention first) without a scan; only held state items carry it.
   */
  held: (ruleId: string, expiresAt: string, eventId: string) => ({ gsi3pk: `HELD#${ruleId}`, gsi3sk: `${expiresAt}#${eventId}` }),
  heldPartition: (ruleId: string) => `HELD#${ruleId}`,
  /** The parts of a held entry's gsi3sk (an expiry never holds '#'; an event id may). */
  parseHeld: (gsi3sk: string) => {
    const cut = gsi3sk.indexOf('#');
    return { expiresAt: gsi3sk.slice(0, cut), eventId: gsi3sk.slice(cut + 1) };
  },
  /**
   * gsi4 (sparse; partition = the item's own `instanceId`): a delivery state item by its
   * state and when it reached it, so "deliveries of this instance in state X" is one
   * Query. Every write of a state item sets it with the state. An event item whose
   * planned deliveries are not all picked up yet carries `pending` with its receipt time.
   */
  stateKey: (state: string, at: string, eventId: string, ruleId = '') => ({ stateKey: `${state}#${at}#${eventId}#${ruleId}` }),
  stateKeyPrefix: (state: string) => `${state}#`,
  /** The parts of a stateKey (an event id may hold '#'; the time and rule id never do). */
  parseStateKey: (stateKey: string) => {
    const first = stateKey.indexOf('#');
    const second = stateKey.indexOf('#', first + 1);
    const last = stateKey.lastIndexOf('#');
    return { state: stateKey.slice(0, first), at: stateKey.slice(first + 1, second), eventId: stateKey.slice(second + 1, last), ruleId: stateKey.slice(last + 1) };
  },
  /** A chatbot's limiter state (sliding log of send slots, pause, flush lease). */
  botState: (botId: string) => ({ pk: `${BOT}${botId}`, sk: 'STATE' }),
  botPartition: (botId: string) => `${BOT}${botId}`,
  /** A delivery parked in its chatbot's mailbox until the next send slot. */
  mail: (botId: string, deliveryId: string) => ({ pk: `${BOT}${botId}`, sk: `${MAIL}${deliveryId}` }),
  mailPrefix: MAIL,
} as const;

/**
 * An entry of the pending index (gsi2, KEYS_ONLY) as the reconciler sees it: an event
 * item (its planned deliveries not all picked up), a delivery state item, or (written
 * before state items were indexed) a mailbox item.
 */
export function parsePendingEntry(item: Record<string, unknown>): PendingDelivery {
  const pk = String(item.pk);
  const sk = String(item.sk);
  const gsi2sk = String(item.gsi2sk);
  const queuedAt = gsi2sk.slice(0, gsi2sk.indexOf('#'));
  if (pk.startsWith(BOT)) {
    // Mailbox item: gsi2sk is `${queuedAt}#${eventId}#${ruleId}` (rule ids hold no '#').
    const rest = gsi2sk.slice(queuedAt.length + 1);
    const cut = rest.lastIndexOf('#');
    return { eventId: rest.slice(0, cut), ruleId: rest.slice(cut + 1), queuedAt, botId: pk.slice(BOT.length) };
  }
  const eventId = pk.slice(EVENT.length);
  if (sk.startsWith(keys.eventSkPrefix)) {
    const instanceId = keys.instanceOfEventSk(sk);
    return { eventId, ...(instanceId !== undefined ? { instanceId } : {}), queuedAt };
  }
  return { eventId, ruleId: keys.ruleIdOfDeliverySk(sk), queuedAt };
}

/** Where a history listing (gsi1) resumes right after this event item. */
export const historyPageKey = (item: Record<string, unknown>): PageKey => ({
  pk: String(item.pk),
  sk: String(item.sk),
  gsi1pk: String(item.gsi1pk),
  gsi1sk: String(item.gsi1sk),
});

/** Where a state-index listing (gsi4) resumes right after this entry. */
export const statePageKey = (item: Record<string, unknown>): PageKey => ({
  pk: String(item.pk),
  sk: String(item.sk),
  instanceId: String(item.instanceId),
  stateKey: String(item.stateKey),
});

/**
 * A resume key handed back in a page token, checked to be one this instance's listing
 * could have produced (history on gsi1, or the state index on gsi4 for `deliveryState`);
 * undefined when it is not.
 */
export function parsePageKey(raw: Record<string, unknown>, instanceId: string, deliveryState: DeliveryState | undefined): PageKey | undefined {
  const byState = deliveryState !== undefined;
  const pageKey: PageKey = {};
  for (const name of byState ? ['pk', 'sk', 'instanceId', 'stateKey'] : ['pk', 'sk', 'gsi1pk', 'gsi1sk']) {
    const value = raw[name];
    if (typeof value !== 'string') return undefined;
    pageKey[name] = value;
  }
  const ours = byState
    ? pageKey.instanceId === instanceId && pageKey.stateKey?.startsWith(keys.stateKeyPrefix(deliveryState)) === true
    : pageKey.gsi1pk === keys.historyPartition(instanceId);
  return ours ? pageKey : undefined;
}
