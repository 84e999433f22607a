/**
 * History reads on gsi1 (an instance's events by receipt time), newest first. Filters
 * run in DynamoDB (FilterExpression) and the query keeps reading until the page is full
 * or the index ends, so a selective filter never returns a short page while more data
 * exists. Expired items are filtered out like any other non-match.
 */
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { HistoryStore } from '../../services/historyPorts';
import { deliveriesOfPartition, eventFromItem, historyPageKey, isStateOf, keys, NOTIFY_OVERRIDE, parsePageKey, ruleIdOfStateItem, statePageKey, stateOfItem } from './shape';
import { applied } from './conditions';
import { queryAll, queryPage, queryPages } from './queryAll';

const READ_BATCH = 100;

export function dynamoHistoryStore(db: DynamoDBDocumentClient, tableName: string): HistoryStore {
  const queryTable = (input: Omit<QueryCommandInput, 'TableName' | 'ConsistentRead'>) => queryAll(db, { ...input, TableName: tableName });

  return {
    async page(instanceId, filter, limit, nowIso, start) {
      const conditions = ['expiresAt > :now'];
      const values: Record<string, unknown> = { ':p': keys.historyPartition(instanceId), ':now': nowIso };
      const names: Record<string, string> = {};
      const add = (field: string, value: string | undefined, expr: (n: string, v: string) => string) => {
        if (value === undefined) return;
        names[`#${field}`] = field;
        values[`:${field}`] = value;
        conditions.push(expr(`#${field}`, `:${field}`));
      };
      add('eventType', filter.eventType, (n, v) => `${n} = ${v}`);
      add('status', filter.status, (n, v) => `${n} = ${v}`);
      add('namespace', filter.namespace, (n, v) => `${n} = ${v}`);
      add('repoName', filter.repoName, (n, v) => `${n} = ${v}`);
      add('matchedRuleIds', filter.ruleId, (n, v) => `contains(${n}, ${v})`);

      const events = [];
      const pages = queryPages(
        db,
        {
          TableName: tableName,
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :p',
          FilterExpression: conditions.join(' AND '),
          ExpressionAttributeValues: values,
          ...(Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {}),
          ScanIndexForward: false,
          Limit: READ_BATCH,
        },
        start,
      );
      for await (const out of pages) {
        for (const item of out.Items ?? []) {
          events.push(eventFromItem(item));
          // Resume right after the last event returned, not after DynamoDB's page.
          if (events.length === limit) return { events, next: historyPageKey(item) };
        }
      }
      return { events };
    },

    resumeKey(instanceId, deliveryState, raw) {
      return parsePageKey(raw, instanceId, deliveryState);
    },

    async getEvent(instanceId, eventId) {
      const out = await db.send(new GetCommand({ TableName: tableName, Key: keys.event(eventId, instanceId), ConsistentRead: true }));
      if (out.Item) return eventFromItem(out.Item);
      // Recorded before ids were per instance: the legacy item, if it is this instance's.
      const legacy = await db.send(new GetCommand({ TableName: tableName, Key: keys.event(eventId, undefined), ConsistentRead: true }));
      return legacy.Item && legacy.Item.instanceId === instanceId ? eventFromItem(legacy.Item) : undefined;
    },

    async findEvents(eventId) {
      // The id's partition holds one event item per instance that used it (and a legacy one).
      const items = await queryTable({
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :event)',
        ExpressionAttributeValues: { ':pk': keys.eventPartition(eventId), ':event': keys.eventSkPrefix },
      });
      return items.map(eventFromItem);
    },

    async deliveriesOf(eventId, instanceId) {
      // The whole partition: the event item holds the plan, state items what happened since.
      const items = await queryTable({ KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': keys.eventPartition(eventId) } });
      const own = keys.event(eventId, instanceId).sk;
      const legacy = keys.event(eventId, undefined).sk;
      const eventSk = items.some((i) => i.sk === own) ? own : items.some((i) => i.sk === legacy && i.instanceId === instanceId) ? legacy : own;
      return deliveriesOfPartition(items, eventSk);
    },

    async deliveryStates({ eventId, expiresAt }) {
      const items = await queryTable({
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :d)',
        ProjectionExpression: 'sk, #state, expiresAt',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':pk': keys.eventPartition(eventId), ':d': keys.deliveryPrefix },
      });
      // State left by an earlier event with this id is not this event's (see isStaleState).
      return items.filter((item) => isStateOf(item, expiresAt)).map((item) => ({ ruleId: ruleIdOfStateItem(item), state: stateOfItem(item) }));
    },

    async stateEntries(instanceId, state, opts) {
      const prefix = keys.stateKeyPrefix(state);
      // '~' sorts after every ISO time and id character: the upper bound includes `until` itself.
      const low = `${prefix}${opts.since ?? ''}`;
      const high = `${prefix}${opts.until ?? ''}~`;
      const { items, next } = await queryPage(
        db,
        {
          TableName: tableName,
          IndexName: 'gsi4',
          KeyConditionExpression: 'instanceId = :i AND stateKey BETWEEN :low AND :high',
          ExpressionAttributeValues: { ':i': instanceId, ':low': low, ':high': high },
          ScanIndexForward: false,
          Limit: opts.limit,
        },
        opts.start,
      );
      const entries = items.map((item) => {
        const parsed = keys.parseStateKey(String(item.stateKey));
        return { eventId: parsed.eventId, ruleId: parsed.ruleId, state, at: parsed.at, key: statePageKey(item) };
      });
      return { entries, ...(next ? { next: Object.fromEntries(Object.entries(next).map(([k, v]) => [k, String(v)])) } : {}) };
    },

    async reopen(eventId, ruleId, instanceId, nowIso, notify) {
      return applied(() =>
        db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: keys.delivery(eventId, ruleId),
            // Back in the pending index too, so the reconciler covers a lost re-queue message.
            // A fresh attempt budget (numbering continues from attemptCount), and the rule's
            // target as it is now (see NOTIFY_OVERRIDE): the endpoint may have been fixed.
            UpdateExpression:
              'SET #state = :pending, updatedAt = :now, redeliveredAt = :now, instanceId = :instanceId, stateKey = :stateKey, gsi2pk = :g1, gsi2sk = :g2, attemptBase = if_not_exists(attemptCount, :zero), requeues = :zero, #override = :notify REMOVE deadReason, nextAttemptAt',
            ConditionExpression: '#state IN (:failed, :dead) AND expiresAt > :now',
            ExpressionAttributeNames: { '#state': 'state', '#override': NOTIFY_OVERRIDE },
            ExpressionAttributeValues: {
              ':notify': notify,
              ':pending': 'pending',
              ':failed': 'failed',
              ':dead': 'dead',
              ':now': nowIso,
              ':instanceId': instanceId,
              ':stateKey': keys.stateKey('pending', nowIso, eventId, ruleId).stateKey,
              ':zero': 0,
              ':g1': keys.pending(keys.pendingShardOf(eventId), nowIso, eventId, ruleId).gsi2pk,
              ':g2': keys.pending(keys.pendingShardOf(eventId), nowIso, eventId, ruleId).gsi2sk,
            },
          }),
        ),
      );
    },
  };
}
