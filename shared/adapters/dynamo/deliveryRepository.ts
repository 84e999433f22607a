/**
 * Delivery state and trace: conditional state transitions with appended attempts. The
 * first transition of a planned delivery creates its state item (see deliveryItems.ts).
 */
import { BatchGetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DeliveryRepository } from '../../services/deliveryPorts';
import { toStoredEvent } from './eventRepository';
import { deliveryRecord, epochSeconds, planOf } from './deliveryItems';
import { keys } from './keys';
import { isConditionFailed } from './conditions';

const MAX_UNPROCESSED_ROUNDS = 8;

export function dynamoDeliveryRepository(db: DynamoDBDocumentClient, tableName: string, now: () => Date = () => new Date()): DeliveryRepository {
  /** The event item and the delivery's state item in one strongly consistent BatchGetItem. */
  async function read(eventId: string, ruleId: string) {
    let request: Record<string, unknown>[] = [keys.event(eventId), keys.delivery(eventId, ruleId)];
    const items: Record<string, unknown>[] = [];
    for (let round = 0; request.length > 0; round += 1) {
      if (round >= MAX_UNPROCESSED_ROUNDS) throw new Error('DynamoDB kept keys of a delivery read unprocessed');
      if (round > 0) await new Promise((r) => setTimeout(r, Math.random() * 20 * 2 ** round));
      const out = await db.send(new BatchGetCommand({ RequestItems: { [tableName]: { Keys: request, ConsistentRead: true } } }));
      items.push(...(out.Responses?.[tableName] ?? []));
      request = out.UnprocessedKeys?.[tableName]?.Keys ?? [];
    }
    const eventItem = items.find((i) => i.sk === keys.event(eventId).sk);
    const stateItem = items.find((i) => i.sk === keys.delivery(eventId, ruleId).sk);
    return {
      event: eventItem ? toStoredEvent(eventItem) : undefined,
      delivery: deliveryRecord(planOf(eventItem).get(ruleId), stateItem),
    };
  }

  return {
    async get(eventId, ruleId) {
      return (await read(eventId, ruleId)).delivery;
    },

    async load(eventId, ruleId) {
      const { event, delivery } = await read(eventId, ruleId);
      return { ...(event ? { event } : {}), ...(delivery ? { delivery } : {}) };
    },

    async transition(delivery, change) {
      const set = ['#state = :state', 'updatedAt = :now', '#type = :type', 'expiresAt = if_not_exists(expiresAt, :expiresAt)', '#ttl = if_not_exists(#ttl, :ttl)'];
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
      try {
        await db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: keys.delivery(delivery.eventId, delivery.ruleId),
            UpdateExpression: `SET ${set.join(', ')} REMOVE ${remove.join(', ')}`,
            // No state item yet = a planned delivery still pending.
            ConditionExpression: 'attribute_not_exists(#state) OR #state IN (:pending, :retrying, :throttled)',
            ExpressionAttributeNames: { '#state': 'state', '#type': 'type', '#ttl': 'ttl' },
            ExpressionAttributeValues: values,
          }),
        );
        return true;
      } catch (error) {
        if (isConditionFailed(error)) return false;
        throw error;
      }
    },
  };
}
