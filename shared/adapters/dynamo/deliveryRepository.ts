/**
 * Delivery state and trace: conditional state transitions with appended attempts. The
 * first transition of a planned delivery creates its state item (see deliveryItems.ts).
 */
import { BatchGetCommand, DeleteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DeliveryRef, DeliveryRepository, LoadedDelivery } from '../../services/deliveryPorts';
import { loadKeyOf } from '../../services/deliveryPorts';
import { toStoredEvent } from './eventRepository';
import { deliveryRecord, epochSeconds, planOf } from './deliveryItems';
import { keys } from './keys';
import { applied } from './conditions';

const MAX_UNPROCESSED_ROUNDS = 8;
const MAX_KEYS_PER_BATCH_GET = 100;

export function dynamoDeliveryRepository(db: DynamoDBDocumentClient, tableName: string, now: () => Date = () => new Date()): DeliveryRepository {
  /** Event items and state items of many deliveries in strongly consistent BatchGetItems. */
  async function readMany(refs: { eventId: string; ruleId: string }[]): Promise<Map<string, LoadedDelivery>> {
    const wanted = new Map<string, Record<string, unknown>>();
    for (const { eventId, ruleId } of refs) {
      for (const key of [keys.event(eventId), keys.delivery(eventId, ruleId)]) wanted.set(`${key.pk}\n${key.sk}`, key);
    }
    const items = new Map<string, Record<string, unknown>>();
    const pending = [...wanted.values()];
    for (let offset = 0; offset < pending.length; offset += MAX_KEYS_PER_BATCH_GET) {
      let request = pending.slice(offset, offset + MAX_KEYS_PER_BATCH_GET);
      for (let round = 0; request.length > 0; round += 1) {
        if (round >= MAX_UNPROCESSED_ROUNDS) throw new Error('DynamoDB kept keys of a delivery read unprocessed');
        if (round > 0) await new Promise((r) => setTimeout(r, Math.random() * 20 * 2 ** round));
        const out = await db.send(new BatchGetCommand({ RequestItems: { [tableName]: { Keys: request, ConsistentRead: true } } }));
        for (const item of out.Responses?.[tableName] ?? []) items.set(`${String(item.pk)}\n${String(item.sk)}`, item);
        request = out.UnprocessedKeys?.[tableName]?.Keys ?? [];
      }
    }
    const loaded = new Map<string, LoadedDelivery>();
    for (const { eventId, ruleId } of refs) {
      const eventKey = keys.event(eventId);
      const stateKey = keys.delivery(eventId, ruleId);
      const eventItem = items.get(`${eventKey.pk}\n${eventKey.sk}`);
      const delivery = deliveryRecord(planOf(eventItem).get(ruleId), items.get(`${stateKey.pk}\n${stateKey.sk}`));
      loaded.set(loadKeyOf(eventId, ruleId), { ...(eventItem ? { event: toStoredEvent(eventItem) } : {}), ...(delivery ? { delivery } : {}) });
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

  const load = async (eventId: string, ruleId: string) => (await readMany([{ eventId, ruleId }])).get(loadKeyOf(eventId, ruleId)) ?? {};

  return {
    async get(eventId, ruleId) {
      return (await load(eventId, ruleId)).delivery;
    },

    load,

    loadMany: readMany,

    async transition(delivery, change) {
      const set = ['#state = :state', 'updatedAt = :now', '#type = :type', 'expiresAt = :expiresAt', '#ttl = :ttl'];
      const remove = ['gsi2pk', 'gsi2sk'];
      const values: Record<string, unknown> = {
        ':state': change.state,
        ':now': now().toISOString(),
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
