/**
 * The sparse index of open deliveries (gsi2, KEYS_ONLY), by when each is due: events
 * whose planned deliveries have not all been picked up by the worker, and the state
 * item of every delivery still pending, retrying or throttled (DingTalk mail waiting
 * for a flush included: its delivery is open). The table is the source of truth and a
 * queue message only a wake-up call (SPEC §9): the reconciler reads only this index —
 * never the table — and claims each overdue entry with a conditional update that moves
 * it one period on, so two overlapping runs cannot both re-drive it and a delivery is
 * re-driven at most once per overdue period. (Mailbox items written before the state
 * items were indexed may still be in it; they are handled as before.)
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DeliveryMessage, PendingDelivery, PendingIndex } from '../../services/eventStore';
import { deliveryIdOf } from '../../domain/deliveryId';
import { epochSeconds, isStateOf, keys, parsePendingEntry, planOf, ruleIdOfStateItem } from './shape';
import { queryAll, queryPages } from './queryAll';
import { applied, isConditionFailed } from './conditions';

export const MAX_REQUEUES = 20;
const NEVER_PICKED_UP = 'never picked up by the delivery worker before retention or re-queue limit';
const OPEN = { ':pending': 'pending', ':retrying': 'retrying', ':throttled': 'throttled' };

export function dynamoPendingIndex(db: DynamoDBDocumentClient, tableName: string): PendingIndex {
  const conditional = (command: UpdateCommand) => applied(() => db.send(command));

  /**
   * An event whose planned deliveries may not all have been picked up: those without a
   * state item yet are re-queued (the event's index entry moves on, as the claim); once
   * every one has been picked up, or the event is past retention, the entry leaves.
   */
  async function claimEvent(pending: PendingDelivery, now: string): Promise<DeliveryMessage[]> {
    const { eventId, instanceId } = pending;
    const eventKey = keys.event(eventId, instanceId);
    const items = await queryAll(db, {
      TableName: tableName,
      KeyConditionExpression: 'pk = :pk',
      ProjectionExpression: 'sk, #plan, expiresAt, requeues, gsi2sk',
      ExpressionAttributeNames: { '#plan': 'plan' },
      ExpressionAttributeValues: { ':pk': eventKey.pk },
    });
    const eventItem = items.find((i) => i.sk === eventKey.sk);
    const old = keys.pendingEvent(keys.pendingShardOf(eventId), pending.queuedAt, eventId).gsi2sk;
    if (!eventItem || eventItem.gsi2sk !== old) return [];
    const expiresAt = String(eventItem.expiresAt);
    // Picked up = has this event's state item (not one left by an earlier event with this id).
    const pickedUp = new Set(items.filter((i) => String(i.sk).startsWith(keys.deliveryPrefix) && isStateOf(i, expiresAt)).map(ruleIdOfStateItem));
    const waiting = [...planOf(eventItem).values()].filter((p) => !pickedUp.has(p.ruleId));
    const requeues = typeof eventItem.requeues === 'number' ? eventItem.requeues : 0;
    const leaveIndex = () =>
      conditional(
        new UpdateCommand({
          TableName: tableName,
          Key: eventKey,
          // Every planned delivery has its own state item now: the event leaves gsi4's `pending` too.
          UpdateExpression: 'REMOVE gsi2pk, gsi2sk, stateKey',
          ConditionExpression: 'gsi2sk = :old',
          ExpressionAttributeValues: { ':old': old },
        }),
      );
    if (waiting.length === 0) {
      await leaveIndex();
      return [];
    }
    if (expiresAt <= now || requeues >= MAX_REQUEUES) {
      // Never picked up in time: each waiting delivery ends `dead`, with the reason in its trace.
      for (const p of waiting) {
        await conditional(
          new UpdateCommand({
            TableName: tableName,
            Key: keys.delivery(eventId, p.ruleId),
            UpdateExpression:
              `SET #state = :dead, deadReason = :reason, updatedAt = :now, expiresAt = :expiresAt, #ttl = :ttl, #type = :type, attempts = :none, attemptCount = :zero, stateKey = :stateKey${instanceId !== undefined ? ', instanceId = :instanceId' : ''} REMOVE deliveredAt, nextAttemptAt, attemptBase, gsi2pk, gsi2sk`,
            ConditionExpression: 'attribute_not_exists(#state) OR expiresAt <> :expiresAt',
            ExpressionAttributeNames: { '#state': 'state', '#ttl': 'ttl', '#type': 'type' },
            ExpressionAttributeValues: {
              ':dead': 'dead',
              ':reason': NEVER_PICKED_UP,
              ':now': now,
              ':expiresAt': expiresAt,
              ':ttl': epochSeconds(expiresAt),
              ':type': 'delivery',
              ':none': [],
              ':zero': 0,
              ':stateKey': keys.stateKey('dead', now, eventId, p.ruleId).stateKey,
              ...(instanceId !== undefined ? { ':instanceId': instanceId } : {}),
            },
          }),
        );
      }
      await leaveIndex();
      return [];
    }
    const claimed = await conditional(
      new UpdateCommand({
        TableName: tableName,
        Key: eventKey,
        UpdateExpression: 'SET gsi2sk = :fresh, requeues = if_not_exists(requeues, :zero) + :one, lastRequeuedAt = :now',
        ConditionExpression: 'gsi2sk = :old',
        ExpressionAttributeValues: { ':fresh': keys.pendingEvent(keys.pendingShardOf(eventId), now, eventId).gsi2sk, ':old': old, ':zero': 0, ':one': 1, ':now': now },
      }),
    );
    return claimed ? waiting.map((p) => ({ eventId, ...(instanceId !== undefined ? { instanceId } : {}), ruleId: p.ruleId, deliveryId: p.deliveryId })) : [];
  }

  return {
    async stuckSince(cutoff, limit) {
      // The oldest of every shard, each its share of the limit: no shard waits behind another.
      const perShard = Math.max(1, Math.ceil(limit / keys.pendingShards));
      const found: PendingDelivery[] = [];
      for (let shard = 0; shard < keys.pendingShards; shard += 1) {
        const shardEnd = found.length + perShard;
        const pages = queryPages(db, {
          TableName: tableName,
          IndexName: 'gsi2',
          KeyConditionExpression: 'gsi2pk = :p AND gsi2sk < :cutoff',
          ExpressionAttributeValues: { ':p': keys.pendingPartition(shard), ':cutoff': cutoff },
          Limit: perShard,
        });
        for await (const out of pages) {
          for (const item of (out.Items ?? []).slice(0, shardEnd - found.length)) found.push(parsePendingEntry(item));
          if (found.length >= shardEnd) break;
        }
      }
      return found;
    },

    async claim(pending, now) {
      if (pending.ruleId === undefined) return claimEvent(pending, now);
      const ruleId = pending.ruleId;
      const message: DeliveryMessage = { eventId: pending.eventId, ruleId, deliveryId: deliveryIdOf(pending.eventId, ruleId) };
      const key = keys.delivery(pending.eventId, ruleId);
      const old = keys.pending(keys.pendingShardOf(pending.eventId), pending.queuedAt, pending.eventId, ruleId).gsi2sk;
      const fresh = keys.pending(keys.pendingShardOf(pending.eventId), now, pending.eventId, ruleId).gsi2sk;
      if (pending.botId !== undefined) {
        // A mail still waiting: move its index entry on and hand back its delivery to re-queue.
        const moved = await conditional(
          new UpdateCommand({
            TableName: tableName,
            Key: keys.mail(pending.botId, message.deliveryId),
            UpdateExpression: 'SET gsi2sk = :fresh',
            ConditionExpression: 'gsi2sk = :old',
            ExpressionAttributeValues: { ':fresh': fresh, ':old': old },
          }),
        );
        return moved ? [message] : [];
      }
      // An open delivery overdue by a whole period: its wake-up message is lost (or very
      // late). Moving its entry to now is the claim; the message continues its retry chain.
      const claim = new UpdateCommand({
        TableName: tableName,
        Key: key,
        UpdateExpression: 'SET gsi2sk = :fresh, requeues = if_not_exists(requeues, :zero) + :one, lastRequeuedAt = :now',
        ConditionExpression: 'gsi2sk = :old AND #state IN (:pending, :retrying, :throttled) AND expiresAt > :now AND (attribute_not_exists(requeues) OR requeues < :max)',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ...OPEN, ':fresh': fresh, ':old': old, ':zero': 0, ':one': 1, ':now': now, ':max': MAX_REQUEUES },
        // Free: UpdateItem's returned values consume no read capacity.
        ReturnValues: 'ALL_NEW',
      });
      let claimed: Record<string, unknown> | undefined;
      try {
        claimed = (await db.send(claim)).Attributes;
      } catch (error) {
        if (!isConditionFailed(error)) throw error;
      }
      if (claimed) {
        const instanceId = typeof claimed.instanceId === 'string' ? claimed.instanceId : undefined;
        const expect = typeof claimed.attemptCount === 'number' ? claimed.attemptCount : 0;
        const redrive = typeof claimed.requeues === 'number' ? claimed.requeues : 0;
        return [{ ...message, ...(instanceId !== undefined ? { instanceId } : {}), expect, redrive }];
      }
      // Not claimable: retention over or re-driven too often without progress → dead, out of the index.
      await conditional(
        new UpdateCommand({
          TableName: tableName,
          Key: key,
          UpdateExpression: 'SET #state = :dead, deadReason = :reason, updatedAt = :now, stateKey = :stateKey REMOVE gsi2pk, gsi2sk, nextAttemptAt',
          ConditionExpression: 'gsi2sk = :old AND #state IN (:pending, :retrying, :throttled) AND (expiresAt <= :now OR requeues >= :max)',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ...OPEN, ':dead': 'dead', ':old': old, ':now': now, ':max': MAX_REQUEUES, ':reason': NEVER_PICKED_UP, ':stateKey': keys.stateKey('dead', now, message.eventId, message.ruleId).stateKey },
        }),
      );
      return [];
    },
  };
}
