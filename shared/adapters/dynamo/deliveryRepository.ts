/** Delivery records and their trace: conditional state transitions with appended attempts. */
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DeliveryRecord, DeliveryRepository } from '../../services/deliveryPorts';
import { toStoredEvent } from './eventRepository';
import { keys } from './keys';
import { isConditionFailed } from './conditions';

function toRecord(item: Record<string, unknown>): DeliveryRecord {
  const { pk: _pk, sk: _sk, gsi2pk: _g1, gsi2sk: _g2, type: _t, ttl: _ttl, ...rest } = item;
  const record = rest as unknown as DeliveryRecord;
  return { ...record, attemptCount: typeof item.attemptCount === 'number' ? item.attemptCount : 0, attempts: Array.isArray(item.attempts) ? item.attempts : [] };
}

export function dynamoDeliveryRepository(db: DynamoDBDocumentClient, tableName: string, now: () => Date = () => new Date()): DeliveryRepository {
  return {
    async get(eventId, ruleId) {
      const out = await db.send(new GetCommand({ TableName: tableName, Key: keys.delivery(eventId, ruleId), ConsistentRead: true }));
      return out.Item ? toRecord(out.Item) : undefined;
    },

    async getEvent(eventId) {
      // Strongly consistent: the worker can run milliseconds after ingest wrote the event.
      const out = await db.send(new GetCommand({ TableName: tableName, Key: keys.event(eventId), ConsistentRead: true }));
      return out.Item ? toStoredEvent(out.Item) : undefined;
    },

    async transition(eventId, ruleId, change) {
      const set = ['#state = :state', 'updatedAt = :now'];
      const remove = ['gsi2pk', 'gsi2sk'];
      const values: Record<string, unknown> = {
        ':state': change.state,
        ':now': now().toISOString(),
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
            Key: keys.delivery(eventId, ruleId),
            UpdateExpression: `SET ${set.join(', ')} REMOVE ${remove.join(', ')}`,
            ConditionExpression: '#state IN (:pending, :retrying, :throttled)',
            ExpressionAttributeNames: { '#state': 'state' },
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
