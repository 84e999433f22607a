/**
 * Delivery state and trace: conditional state transitions with appended attempts. The
 * first transition of a planned delivery creates its state item (see shape/events.ts).
 */
import { BatchGetCommand, DeleteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DeliveryRef, DeliveryRepository, LoadedDelivery } from '../../services/deliveryPorts';
import type { LoadRef } from '../../services/deliveryPorts';
import { loadKeyOf, OPEN_STATES } from '../../services/deliveryPorts';
import { jitteredBackoff, retrying, TRY_AGAIN } from '../retry';
import { deliveryRecord, epochSeconds, eventFromItem, keys, planOf } from './shape';
import type { TableKey } from './shape';
import { queryAll } from './queryAll';
import { applied } from './conditions';

const MAX_UNPROCESSED_ROUNDS = 8;
/** Before round r (r ≥ 1): up to 20·2^r ms. */
const UNPROCESSED_BACKOFF = jitteredBackoff(40);
const MAX_KEYS_PER_BATCH_GET = 100;

export function dynamoDeliveryRepository(db: DynamoDBDocumentClient, tableName: string, now: () => Date = () => new Date()): DeliveryRepository {
  const keyOf = (key: TableKey) => `${key.pk}\n${key.sk}`;

  /** Strongly consistent BatchGetItems of the given keys, unprocessed keys retried with backoff. */
  async function batchGet(keyList: TableKey[], into: Map<string, Record<string, unknown>>): Promise<void> {
    for (let offset = 0; offset < keyList.length; offset += MAX_KEYS_PER_BATCH_GET) {
      let request: Record<string, unknown>[] = keyList.slice(offset, offset + MAX_KEYS_PER_BATCH_GET);
      const done = await retrying(MAX_UNPROCESSED_ROUNDS, UNPROCESSED_BACKOFF, async () => {
        const out = await db.send(new BatchGetCommand({ RequestItems: { [tableName]: { Keys: request, ConsistentRead: true } } }));
        for (const item of out.Responses?.[tableName] ?? []) into.set(`${String(item.pk)}\n${String(item.sk)}`, item);
        request = out.UnprocessedKeys?.[tableName]?.Keys ?? [];
        return request.length > 0 ? TRY_AGAIN : true;
      });
      if (done === TRY_AGAIN) throw new Error('DynamoDB kept keys of a delivery read unprocessed');
    }
  }

  /** Event items and state items of many deliveries in strongly consistent BatchGetItems. */
  async function readMany(refs: LoadRef[]): Promise<Map<string, LoadedDelivery>> {
    const wanted = new Map<string, TableKey>();
    for (const { eventId, ruleId, instanceId } of refs) {
      wanted.set(keyOf(keys.delivery(eventId, ruleId)), keys.delivery(eventId, ruleId));
      if (instanceId !== undefined) wanted.set(keyOf(keys.event(eventId, instanceId)), keys.event(eventId, instanceId));
    }
    const items = new Map<string, Record<string, unknown>>();
    await batchGet([...wanted.values()], items);
    // An event recorded before ids were per instance sits under its legacy key: read on a
    // miss only, so current events never pay for it.
    const legacy = new Map<string, TableKey>();
    for (const { eventId, instanceId } of refs) {
      if (instanceId !== undefined && !items.has(keyOf(keys.event(eventId, instanceId)))) legacy.set(keyOf(keys.event(eventId, undefined)), keys.event(eventId, undefined));
    }
    if (legacy.size > 0) await batchGet([...legacy.values()], items);
    // A message without its instance (queued before ids were per instance): the event of
    // this id whose plan holds the rule.
    const byRule = new Map<string, Record<string, unknown>>();
    for (const eventId of new Set(refs.filter((r) => r.instanceId === undefined).map((r) => r.eventId))) {
      const candidates = await queryAll(db, {
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :event)',
        ExpressionAttributeValues: { ':pk': keys.eventPartition(eventId), ':event': keys.eventSkPrefix },
      });
      for (const item of candidates) {
        const matched = Array.isArray(item.matchedRuleIds) ? item.matchedRuleIds.map(String) : [];
        for (const ruleId of new Set([...planOf(item).keys(), ...matched])) byRule.set(loadKeyOf(eventId, ruleId), item);
      }
    }
    const loaded = new Map<string, LoadedDelivery>();
    for (const { eventId, ruleId, instanceId } of refs) {
      const legacyItem = items.get(keyOf(keys.event(eventId, undefined)));
      const eventItem =
        instanceId === undefined
          ? byRule.get(loadKeyOf(eventId, ruleId))
          : (items.get(keyOf(keys.event(eventId, instanceId))) ?? (legacyItem?.instanceId === instanceId ? legacyItem : undefined));
      const delivery = deliveryRecord(planOf(eventItem).get(ruleId), items.get(keyOf(keys.delivery(eventId, ruleId))));
      loaded.set(loadKeyOf(eventId, ruleId), { ...(eventItem ? { event: eventFromItem(eventItem) } : {}), ...(delivery ? { delivery } : {}) });
    }
    return loaded;
  }

  /** Deletes the delivery's state item if it belongs to an earlier event with this id (see isStaleState). */
  const clearStale = (delivery: DeliveryRef) =>
    applied(() =>
      db.send(
        new DeleteCommand({
          TableName: tableName,
          Key: keys.delivery(delivery.eventId, delivery.ruleId),
          ConditionExpression: 'attribute_exists(#state) AND expiresAt <> :expiresAt',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':expiresAt': delivery.expiresAt },
        }),
      ),
    );

  const load = async (eventId: string, ruleId: string, instanceId: string | undefined) =>
    (await readMany([{ eventId, ruleId, instanceId }])).get(loadKeyOf(eventId, ruleId)) ?? {};

  return {
    async get(eventId, ruleId, instanceId) {
      return (await load(eventId, ruleId, instanceId)).delivery;
    },

    load,

    loadMany: readMany,

    async transition(delivery, change) {
      const nowIso = now().toISOString();
      const set = ['#state = :state', 'updatedAt = :now', '#type = :type', 'expiresAt = :expiresAt', '#ttl = :ttl', 'instanceId = :instanceId', 'stateKey = :stateKey'];
      // The worker acted on it: the reconciler's re-drive count starts again.
      const remove: string[] = ['requeues'];
      const values: Record<string, unknown> = {
        ':state': change.state,
        ':now': nowIso,
        ':instanceId': delivery.instanceId,
        ':stateKey': keys.stateKey(change.state, nowIso, delivery.eventId, delivery.ruleId).stateKey,
        ':type': 'delivery',
        ':expiresAt': delivery.expiresAt,
        ':ttl': epochSeconds(delivery.expiresAt),
        ':pending': 'pending',
        ':retrying': 'retrying',
        ':throttled': 'throttled',
      };
      if (change.attempt) {
        set.push('attempts = list_append(if_not_exists(attempts, :empty), :attempt)');
        values[':empty'] = [];
        values[':attempt'] = [change.attempt];
        if (change.attempt.outcome !== 'throttled') {
          set.push('attemptCount = if_not_exists(attemptCount, :zero) + :one');
          values[':zero'] = 0;
          values[':one'] = 1;
        }
      }
      if (change.nextAttemptAt) {
        set.push('nextAttemptAt = :next');
        values[':next'] = change.nextAttemptAt;
      } else {
        remove.push('nextAttemptAt');
      }
      if (change.deliveredAt) {
        set.push('deliveredAt = :deliveredAt');
        values[':deliveredAt'] = change.deliveredAt;
      }
      if (change.deadReason) {
        set.push('deadReason = :reason');
        values[':reason'] = change.deadReason;
      }
      if (OPEN_STATES.includes(change.state)) {
        // Open: in the pending index at its due time, where the reconciler finds it if
        // the message meant to wake it is lost (SPEC §9). Same write, no extra request:
        // the index entry costs the index's own write units only (see README, Reliability).
        const due = keys.pending(keys.pendingShardOf(delivery.eventId), change.nextAttemptAt ?? nowIso, delivery.eventId, delivery.ruleId);
        set.push('gsi2pk = :g1', 'gsi2sk = :g2');
        values[':g1'] = due.gsi2pk;
        values[':g2'] = due.gsi2sk;
      } else {
        remove.push('gsi2pk', 'gsi2sk');
      }
      // Held by a suspended rule: in the held index, where resume finds it (SPEC §13).
      if (change.state === 'suspended') {
        const held = keys.held(delivery.ruleId, delivery.expiresAt, delivery.eventId);
        set.push('gsi3pk = :h1', 'gsi3sk = :h2');
        values[':h1'] = held.gsi3pk;
        values[':h2'] = held.gsi3sk;
      } else {
        remove.push('gsi3pk', 'gsi3sk');
      }
      const update = new UpdateCommand({
        TableName: tableName,
        Key: keys.delivery(delivery.eventId, delivery.ruleId),
        UpdateExpression: `SET ${set.join(', ')} REMOVE ${remove.join(', ')}`,
        // No state item yet = a planned delivery still pending.
        ConditionExpression: 'attribute_not_exists(#state) OR (#state IN (:pending, :retrying, :throttled) AND expiresAt = :expiresAt)',
        ExpressionAttributeNames: { '#state': 'state', '#type': 'type', '#ttl': 'ttl' },
        ExpressionAttributeValues: values,
      });
      if (await applied(() => db.send(update))) return true;
      // Closed, or the state of an earlier event with this id (see isStaleState): that one
      // is cleared and the transition applied to a fresh state item.
      return (await clearStale(delivery)) && applied(() => db.send(update));
    },
  };
}
