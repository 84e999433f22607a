/**
 * Rule records. Every write is one DynamoDB transaction that also maintains the
 * name lock (unique names per instance), the per-region quota counter (conditional,
 * so concurrent creates can never pass the quota) and the instance's rule-set
 * revision (what the ingest cache checks).
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { RuleStore, RuleWriteOutcome } from '../../services/ruleStore';
import { jitteredBackoff, retrying, TRY_AGAIN } from '../retry';
import { queryAll } from './queryAll';
import { keys, regionUsageOf, ruleFromItem, ruleNameLockItem, ruleSetRevisionOf, ruleToItem } from './shape';

type TransactItem = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>[number];
type Role = 'rule' | 'nameLock' | 'oldNameLock' | 'quota' | 'oldQuota' | 'ruleSet';

const MAX_CONFLICT_RETRIES = 12;
/** Full jitter keeps N racing writers from colliding again in lockstep. */
const CONFLICT_BACKOFF = jitteredBackoff(20, 1000);

export function dynamoRuleStore(db: DynamoDBDocumentClient, tableName: string): RuleStore {
  const T = tableName;
  const now = () => new Date().toISOString();

  const bumpRuleSet = (instanceId: string): TransactItem => ({
    Update: {
      TableName: T,
      Key: keys.ruleSet(instanceId),
      UpdateExpression: 'ADD rev :one SET updatedAt = :now',
      ExpressionAttributeValues: { ':one': 1, ':now': now() },
    },
  });
  const takeQuota = (regionId: string, max: number): TransactItem => ({
    Update: {
      TableName: T,
      Key: keys.regionQuota(regionId),
      UpdateExpression: 'SET used = if_not_exists(used, :zero) + :one',
      ConditionExpression: 'attribute_not_exists(used) OR used < :max',
      ExpressionAttributeValues: { ':zero': 0, ':one': 1, ':max': max },
    },
  });
  const releaseQuota = (regionId: string): TransactItem => ({
    Update: {
      TableName: T,
      Key: keys.regionQuota(regionId),
      UpdateExpression: 'SET used = used - :one',
      ConditionExpression: 'used > :zero',
      ExpressionAttributeValues: { ':zero': 0, ':one': 1 },
    },
  });
  const lockName = (instanceId: string, ruleName: string, ruleId: string): TransactItem => ({
    Put: {
      TableName: T,
      Item: ruleNameLockItem(instanceId, ruleName, ruleId),
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  });
  const unlockName = (instanceId: string, ruleName: string, ruleId: string): TransactItem => ({
    Delete: {
      TableName: T,
      Key: keys.ruleName(instanceId, ruleName),
      ConditionExpression: 'ruleId = :id',
      ExpressionAttributeValues: { ':id': ruleId },
    },
  });

  /** Runs a transaction; maps a cancelled condition to its role, retries transaction conflicts. */
  async function transact(items: { role: Role; item: TransactItem }[]): Promise<RuleWriteOutcome> {
    let lastConflict: unknown;
    const outcome = await retrying(MAX_CONFLICT_RETRIES + 1, CONFLICT_BACKOFF, async (): Promise<RuleWriteOutcome | typeof TRY_AGAIN> => {
      try {
        await db.send(new TransactWriteCommand({ TransactItems: items.map((i) => i.item) }));
        return { ok: true };
      } catch (error) {
        if (!(error instanceof TransactionCanceledException)) throw error;
        const reasons = error.CancellationReasons ?? [];
        const failed = reasons.findIndex((r) => r.Code === 'ConditionalCheckFailed');
        if (failed >= 0) return { ok: false, failed: items[failed]?.role ?? 'rule' };
        const conflict = reasons.some((r) => r.Code === 'TransactionConflict') || reasons.length === 0;
        if (!conflict) throw error;
        lastConflict = error;
        return TRY_AGAIN;
      }
    });
    if (outcome === TRY_AGAIN) throw lastConflict;
    return outcome;
  }

  return {
    async get(instanceId, ruleId) {
      const out = await db.send(new GetCommand({ TableName: T, Key: keys.rule(instanceId, ruleId), ConsistentRead: true }));
      return out.Item ? ruleFromItem(out.Item) : undefined;
    },

    async list(instanceId) {
      const items = await queryAll(db, {
        TableName: T,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': keys.instancePartition(instanceId), ':prefix': keys.rulePrefix },
      });
      return items.map(ruleFromItem);
    },

    async regionUsage(regionId) {
      const out = await db.send(new GetCommand({ TableName: T, Key: keys.regionQuota(regionId) }));
      return regionUsageOf(out.Item);
    },

    async ruleSetRevision(instanceId) {
      const out = await db.send(new GetCommand({ TableName: T, Key: keys.ruleSet(instanceId), ConsistentRead: true }));
      return ruleSetRevisionOf(out.Item);
    },

    async create(rule, maxPerRegion) {
      return transact([
        { role: 'rule', item: { Put: { TableName: T, Item: ruleToItem(rule), ConditionExpression: 'attribute_not_exists(pk)' } } },
        { role: 'nameLock', item: lockName(rule.instanceId, rule.ruleName, rule.ruleId) },
        { role: 'quota', item: takeQuota(rule.regionId, maxPerRegion) },
        { role: 'ruleSet', item: bumpRuleSet(rule.instanceId) },
      ]);
    },

    async replace(previous, next, maxPerRegion) {
      const items: { role: Role; item: TransactItem }[] = [
        {
          role: 'rule',
          item: {
            Put: {
              TableName: T,
              Item: ruleToItem(next),
              ConditionExpression: '#v = :v',
              ExpressionAttributeNames: { '#v': 'version' },
              ExpressionAttributeValues: { ':v': previous.version },
            },
          },
        },
        { role: 'ruleSet', item: bumpRuleSet(next.instanceId) },
      ];
      if (previous.ruleName !== next.ruleName) {
        items.push({ role: 'oldNameLock', item: unlockName(previous.instanceId, previous.ruleName, previous.ruleId) });
        items.push({ role: 'nameLock', item: lockName(next.instanceId, next.ruleName, next.ruleId) });
      }
      if (previous.regionId !== next.regionId) {
        items.push({ role: 'oldQuota', item: releaseQuota(previous.regionId) });
        items.push({ role: 'quota', item: takeQuota(next.regionId, maxPerRegion) });
      }
      return transact(items);
    },

    async remove(rule) {
      return transact([
        {
          role: 'rule',
          item: {
            Delete: {
              TableName: T,
              Key: keys.rule(rule.instanceId, rule.ruleId),
              ConditionExpression: '#v = :v',
              ExpressionAttributeNames: { '#v': 'version' },
              ExpressionAttributeValues: { ':v': rule.version },
            },
          },
        },
        { role: 'oldNameLock', item: unlockName(rule.instanceId, rule.ruleName, rule.ruleId) },
        { role: 'oldQuota', item: releaseQuota(rule.regionId) },
        { role: 'ruleSet', item: bumpRuleSet(rule.instanceId) },
      ]);
    },
  };
}
