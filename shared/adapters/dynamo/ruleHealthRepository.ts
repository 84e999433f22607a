/**
 * Rule health (SPEC §13): one small item per rule beside it (`HEALTH#ruleId`), updated by
 * one UpdateItem per attempt that returns the new state, so the circuit breaker decides
 * without a read. The last-24h counts live in 24 hour slots (see shape/rules.ts): the
 * item never grows, and a slot left from a day ago is restarted by a second conditional
 * write once per rule and hour.
 * Held deliveries (state `suspended`) are found again through gsi3.
 */
import { DeleteCommand, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { epochHour, HEALTH_SLOTS } from '../../domain/circuitBreaker';
import type { HeldDeliveries, OutcomeRecord, RecordResult, RuleHealthStore } from '../../services/ruleHealthPorts';
import { applied, isConditionFailed } from './conditions';
import { HEALTH_COUNTER as COUNTER, keys, NOTIFY_OVERRIDE, ruleHealthFromItem } from './shape';
import { queryAll, queryPage } from './queryAll';

function afterOutcome(before: Record<string, unknown>, outcome: OutcomeRecord): RecordResult {
  const old = ruleHealthFromItem(before);
  const recovered = outcome.attempt === 'delivered' && before.recovering === true;
  if (outcome.attempt === 'delivered') return { after: { consecutiveFailures: 0, ...(old.suspendedAt ? { suspendedAt: old.suspendedAt } : {}) }, recovered };
  if (outcome.attempt === 'failed') {
    return {
      after: { ...old, consecutiveFailures: old.consecutiveFailures + 1, failingSince: old.failingSince ?? outcome.at },
      recovered,
    };
  }
  return { after: old, recovered };
}

export function dynamoRuleHealthStore(db: DynamoDBDocumentClient, tableName: string): RuleHealthStore {
  /** The run of failures and the last-* times: the part of the update every attempt makes. */
  function runPart(outcome: OutcomeRecord) {
    const set: string[] = ['#type = :health'];
    const remove: string[] = [];
    const add: string[] = [];
    const values: Record<string, unknown> = { ':health': 'ruleHealth' };
    if (outcome.attempt === 'delivered') {
      set.push('consecutiveFailures = :zero', 'lastDeliveredAt = :at');
      remove.push('failingSince', 'recovering');
      values[':zero'] = 0;
      values[':at'] = outcome.at;
    } else if (outcome.attempt === 'failed') {
      set.push('lastFailureAt = :at', 'failingSince = if_not_exists(failingSince, :at)');
      add.push('consecutiveFailures :one');
      values[':at'] = outcome.at;
      values[':one'] = 1;
    }
    return { set, remove, add, values };
  }

  async function update(instanceId: string, ruleId: string, outcome: OutcomeRecord, parts: ReturnType<typeof runPart>, condition?: string) {
    const expression = [
      `SET ${parts.set.join(', ')}`,
      parts.add.length > 0 ? `ADD ${parts.add.join(', ')}` : '',
      parts.remove.length > 0 ? `REMOVE ${parts.remove.join(', ')}` : '',
    ].join(' ');
    const out = await db.send(
      new UpdateCommand({
        TableName: tableName,
        Key: keys.ruleHealth(instanceId, ruleId),
        UpdateExpression: expression,
        ExpressionAttributeNames: { '#type': 'type' },
        ExpressionAttributeValues: parts.values,
        ...(condition ? { ConditionExpression: condition } : {}),
        // The item before: the state after follows exactly (the update is atomic), and a
        // `recovering` mark removed by this delivery tells its one remover to announce it.
        ReturnValues: 'ALL_OLD',
      }),
    );
    return afterOutcome(out.Attributes ?? {}, outcome);
  }

  return {
    async record(instanceId, ruleId, outcome, nowMs) {
      if (outcome.closed === undefined) return update(instanceId, ruleId, outcome, runPart(outcome));
      const hour = epochHour(nowMs);
      const slot = hour % HEALTH_SLOTS;
      const counter = `${COUNTER[outcome.closed]}${slot}`;
      for (let round = 0; round < 4; round += 1) {
        // The slot is this hour's: count in it.
        const bump = runPart(outcome);
        bump.add.push(`${counter} :inc`);
        bump.values[':inc'] = outcome.closedCount ?? 1;
        bump.values[':hour'] = hour;
        try {
          return await update(instanceId, ruleId, outcome, bump, `h${slot} = :hour`);
        } catch (error) {
          if (!isConditionFailed(error)) throw error;
        }
        // The slot is empty or a day old: restart it with this count.
        const restart = runPart(outcome);
        restart.set.push(`h${slot} = :hour`, ...Object.values(COUNTER).map((c) => `${c}${slot} = ${`${c}${slot}` === counter ? ':inc' : ':none'}`));
        restart.values[':hour'] = hour;
        restart.values[':inc'] = outcome.closedCount ?? 1;
        restart.values[':none'] = 0;
        try {
          return await update(instanceId, ruleId, outcome, restart, `attribute_not_exists(h${slot}) OR h${slot} <> :hour`);
        } catch (error) {
          if (!isConditionFailed(error)) throw error;
        }
      }
      throw new Error('rule health slot kept changing under the update');
    },

    async get(instanceId, ruleId) {
      const out = await db.send(new GetCommand({ TableName: tableName, Key: keys.ruleHealth(instanceId, ruleId) }));
      return out.Item ? ruleHealthFromItem(out.Item) : undefined;
    },

    async listOf(instanceId) {
      const items = await queryAll(db, {
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :h)',
        ExpressionAttributeValues: { ':pk': keys.instancePartition(instanceId), ':h': keys.ruleHealthPrefix },
      });
      return new Map(items.map((item) => [keys.ruleIdOfHealthSk(String(item.sk)), ruleHealthFromItem(item)]));
    },

    async isSuspended(instanceId, ruleId, consistent = false) {
      const out = await db.send(
        new GetCommand({ TableName: tableName, Key: keys.ruleHealth(instanceId, ruleId), ProjectionExpression: 'suspendedAt', ConsistentRead: consistent }),
      );
      return typeof out.Item?.suspendedAt === 'string';
    },

    async suspend(instanceId, ruleId, at, reason) {
      return applied(() =>
        db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: keys.ruleHealth(instanceId, ruleId),
            UpdateExpression: 'SET suspendedAt = :at, suspendReason = :reason',
            // A delivery in between ended the failure run: no suspension.
            ConditionExpression: 'attribute_not_exists(suspendedAt) AND attribute_exists(failingSince)',
            ExpressionAttributeValues: { ':at': at, ':reason': reason },
          }),
        ),
      );
    },

    async resume(instanceId, ruleId) {
      return applied(() =>
        db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: keys.ruleHealth(instanceId, ruleId),
            // `recovering`: the first delivery after this announces the recovery.
            UpdateExpression: 'SET consecutiveFailures = :zero, recovering = :yes REMOVE suspendedAt, suspendReason, failingSince',
            ConditionExpression: 'attribute_exists(suspendedAt)',
            ExpressionAttributeValues: { ':zero': 0, ':yes': true },
          }),
        ),
      );
    },

    async remove(instanceId, ruleId) {
      await db.send(new DeleteCommand({ TableName: tableName, Key: keys.ruleHealth(instanceId, ruleId) }));
    },
  };
}

export function dynamoHeldDeliveries(db: DynamoDBDocumentClient, tableName: string): HeldDeliveries {
  return {
    async page(ruleId, limit, start) {
      const { items, next } = await queryPage(
        db,
        { TableName: tableName, IndexName: 'gsi3', KeyConditionExpression: 'gsi3pk = :p', ExpressionAttributeValues: { ':p': keys.heldPartition(ruleId) }, Limit: limit },
        start,
      );
      return { held: items.map((item) => keys.parseHeld(String(item.gsi3sk))), ...(next ? { next } : {}) };
    },

    async release(ref, nowIso, notify) {
      const due = keys.pending(keys.pendingShardOf(ref.eventId), nowIso, ref.eventId, ref.ruleId);
      return applied(() =>
        db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: keys.delivery(ref.eventId, ref.ruleId),
            // Back in the pending index (the reconciler covers a lost message), a fresh attempt
            // budget, and (given) the target it goes to from now on (see NOTIFY_OVERRIDE).
            UpdateExpression: `SET #state = :pending, updatedAt = :now, instanceId = :instanceId, stateKey = :stateKey, gsi2pk = :g1, gsi2sk = :g2, attemptBase = if_not_exists(attemptCount, :zero), requeues = :zero${notify ? ', #override = :notify' : ''} REMOVE gsi3pk, gsi3sk, nextAttemptAt`,
            ConditionExpression: '#state = :suspended AND expiresAt = :expiresAt AND expiresAt > :now',
            ExpressionAttributeNames: { '#state': 'state', ...(notify ? { '#override': NOTIFY_OVERRIDE } : {}) },
            ExpressionAttributeValues: {
              ...(notify ? { ':notify': notify } : {}),
              ':pending': 'pending',
              ':suspended': 'suspended',
              ':now': nowIso,
              ':instanceId': ref.instanceId,
              ':stateKey': keys.stateKey('pending', nowIso, ref.eventId, ref.ruleId).stateKey,
              ':zero': 0,
              ':expiresAt': ref.expiresAt,
              ':g1': due.gsi2pk,
              ':g2': due.gsi2sk,
            },
          }),
        ),
      );
    },

    async expire(ref, nowIso, reason) {
      return applied(() =>
        db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: keys.delivery(ref.eventId, ref.ruleId),
            UpdateExpression: 'SET #state = :dead, updatedAt = :now, deadReason = :reason, stateKey = :stateKey REMOVE gsi3pk, gsi3sk, nextAttemptAt',
            ConditionExpression: '#state = :suspended AND expiresAt = :expiresAt',
            ExpressionAttributeNames: { '#state': 'state' },
            ExpressionAttributeValues: { ':dead': 'dead', ':suspended': 'suspended', ':now': nowIso, ':reason': reason, ':expiresAt': ref.expiresAt, ':stateKey': keys.stateKey('dead', nowIso, ref.eventId, ref.ruleId).stateKey },
          }),
        ),
      );
    },
  };
}
