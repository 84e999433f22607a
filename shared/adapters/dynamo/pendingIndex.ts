/**
 * The sparse index of deliveries still `pending` (gsi2, KEYS_ONLY). The reconciler reads
 * only what is in it — never the table — and claims each stuck delivery with a
 * conditional update, so two overlapping reconciler runs cannot both re-queue it.
 */
import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { PendingDelivery, PendingIndex } from '../../services/eventStore';
import { pendingShardOf } from './eventRepository';
import { deliveryIdOf } from '../../domain/deliveryId';
import { keys } from './keys';
import { isConditionFailed } from './conditions';

export const MAX_REQUEUES = 20;


export function dynamoPendingIndex(db: DynamoDBDocumentClient, tableName: string): PendingIndex {
  return {
    async stuckSince(cutoff, limit) {
      const found: PendingDelivery[] = [];
      for (let shard = 0; shard < keys.pendingShards && found.length < limit; shard += 1) {
        let startKey: Record<string, unknown> | undefined;
        do {
          const out = await db.send(
            new QueryCommand({
              TableName: tableName,
              IndexName: 'gsi2',
              KeyConditionExpression: 'gsi2pk = :p AND gsi2sk < :cutoff',
              ExpressionAttributeValues: { ':p': keys.pendingPartition(shard), ':cutoff': cutoff },
              Limit: limit - found.length,
              ExclusiveStartKey: startKey,
            }),
          );
          for (const item of out.Items ?? []) {
            const pk = String(item.pk);
            const sk = String(item.sk);
            const gsi2sk = String(item.gsi2sk);
            const queuedAt = gsi2sk.slice(0, gsi2sk.indexOf('#'));
            if (pk.startsWith('BOT#')) {
              // Mailbox item: gsi2sk is `${queuedAt}#${eventId}#${ruleId}` (rule ids hold no '#').
              const rest = gsi2sk.slice(queuedAt.length + 1);
              const cut = rest.lastIndexOf('#');
              found.push({ eventId: rest.slice(0, cut), ruleId: rest.slice(cut + 1), queuedAt, botId: pk.slice('BOT#'.length) });
            } else {
              found.push({ eventId: pk.slice('EVENT#'.length), ruleId: sk.slice(keys.deliveryPrefix.length), queuedAt });
            }
          }
          startKey = out.LastEvaluatedKey;
        } while (startKey && found.length < limit);
      }
      return found;
    },

    async claim(pending, now) {
      const key = keys.delivery(pending.eventId, pending.ruleId);
      const old = keys.pending(pendingShardOf(pending.eventId), pending.queuedAt, pending.eventId, pending.ruleId).gsi2sk;
      const fresh = keys.pending(pendingShardOf(pending.eventId), now, pending.eventId, pending.ruleId).gsi2sk;
      if (pending.botId !== undefined) {
        // A mail still waiting: move its index entry on and hand back its delivery to re-queue.
        try {
          const out = await db.send(
            new UpdateCommand({
              TableName: tableName,
              Key: { pk: `BOT#${pending.botId}`, sk: `MAIL#${deliveryIdOf(pending.eventId, pending.ruleId)}` },
              UpdateExpression: 'SET gsi2sk = :fresh',
              ConditionExpression: 'gsi2sk = :old',
              ExpressionAttributeValues: { ':fresh': fresh, ':old': old },
              ReturnValues: 'ALL_NEW',
            }),
          );
          return { deliveryId: String(out.Attributes?.deliveryId) };
        } catch (error) {
          if (isConditionFailed(error)) return undefined;
          throw error;
        }
      }
      try {
        const out = await db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: key,
            UpdateExpression: 'SET gsi2sk = :fresh, requeues = requeues + :one, lastRequeuedAt = :now',
            ConditionExpression: 'gsi2sk = :old AND #state = :pending AND expiresAt > :now AND requeues < :max',
            ExpressionAttributeNames: { '#state': 'state' },
            ExpressionAttributeValues: { ':fresh': fresh, ':old': old, ':one': 1, ':now': now, ':pending': 'pending', ':max': MAX_REQUEUES },
            ReturnValues: 'ALL_NEW',
          }),
        );
        return { deliveryId: String(out.Attributes?.deliveryId) };
      } catch (error) {
        if (!isConditionFailed(error)) throw error;
      }
      // Not claimable: retention over or re-queued too often → dead, out of the index.
      try {
        await db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: key,
            UpdateExpression: 'SET #state = :dead, deadReason = :reason, updatedAt = :now REMOVE gsi2pk, gsi2sk',
            ConditionExpression: 'gsi2sk = :old AND #state = :pending AND (expiresAt <= :now OR requeues >= :max)',
            ExpressionAttributeNames: { '#state': 'state' },
            ExpressionAttributeValues: {
              ':dead': 'dead',
              ':pending': 'pending',
              ':old': old,
              ':now': now,
              ':max': MAX_REQUEUES,
              ':reason': 'never picked up by the delivery worker before retention or re-queue limit',
            },
          }),
        );
      } catch (error) {
        if (!isConditionFailed(error)) throw error;
      }
      return undefined;
    },
  };
}
