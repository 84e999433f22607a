/**
 * Recording accepted events. An event is one item carrying its planned deliveries
 * (see shape/events.ts), written with `attribute_not_exists(pk) OR expiresAt < now`,
 * so an event is never recorded without its deliveries and a second copy of an id (in
 * the same instance: ids are per instance, see keys.event) is caught atomically — one
 * conditional PutItem per single event. An event with deliveries enters the pending
 * index until the reconciler has seen all of them picked up (the outbox). A batch packs many events into few transactions; when some
 * are duplicates, the transaction is cancelled, those are set aside (with the stored
 * copy returned by ReturnValuesOnConditionCheckFailure) and the rest are retried.
 */
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { EventStore, RecordOutcome, StoredDelivery, StoredEvent } from '../../services/eventStore';
import { jitteredBackoff, retrying, TRY_AGAIN } from '../retry';
import { eventFromItem, eventToItem, keys } from './shape';

const MAX_ITEMS_PER_TRANSACTION = 100;
const MAX_BYTES_PER_TRANSACTION = 3_500_000;
const MAX_CONFLICT_RETRIES = 8;
const CONFLICT_BACKOFF = jitteredBackoff(20, 500);

type Entry = { event: StoredEvent; deliveries: StoredDelivery[] };
type TransactItem = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>[number];

/** Event ids are unique per instance: this names one event across instances. */
const scopedId = (event: Pick<StoredEvent, 'instanceId' | 'eventId'>) => `${event.instanceId}\n${event.eventId}`;

function sizeOf(entry: Entry): number {
  return entry.event.rawJson.length * 2 + 2_000 + entry.deliveries.length * 3_000;
}

/** Groups entries into transactions within DynamoDB's item and size limits. */
function pack(entries: Entry[]): Entry[][] {
  const groups: Entry[][] = [];
  let current: Entry[] = [];
  let bytes = 0;
  for (const entry of entries) {
    if (current.length > 0 && (current.length >= MAX_ITEMS_PER_TRANSACTION || bytes + sizeOf(entry) > MAX_BYTES_PER_TRANSACTION)) {
      groups.push(current);
      current = [];
      bytes = 0;
    }
    current.push(entry);
    bytes += sizeOf(entry);
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

export function dynamoEventStore(db: DynamoDBDocumentClient, tableName: string, now: () => Date = () => new Date()): EventStore {
  function putOf(entry: Entry) {
    return {
      TableName: tableName,
      Item: eventToItem(entry.event, entry.deliveries),
      ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now',
      ExpressionAttributeValues: { ':now': now().toISOString() },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
    };
  }

  /** One event alone: a plain conditional PutItem (half the cost of a one-item transaction). */
  async function writeOne(entry: Entry, outcomes: Map<string, RecordOutcome>): Promise<void> {
    const { eventId, instanceId } = entry.event;
    try {
      await db.send(new PutCommand(putOf(entry)));
      outcomes.set(scopedId(entry.event), { eventId, outcome: 'recorded' });
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      outcomes.set(scopedId(entry.event), { eventId, outcome: 'exists', existing: await existing(instanceId, eventId, error.Item) });
    }
  }

  async function existing(instanceId: string, eventId: string, returned: Record<string, AttributeValue> | undefined): Promise<StoredEvent> {
    if (returned && Object.keys(returned).length > 0) return eventFromItem(unmarshall(returned));
    const out = await db.send(new GetCommand({ TableName: tableName, Key: keys.event(eventId, instanceId), ConsistentRead: true }));
    if (!out.Item) throw new Error('event vanished between write and read');
    return eventFromItem(out.Item);
  }

  async function writeGroup(group: Entry[], outcomes: Map<string, RecordOutcome>): Promise<void> {
    let remaining = group;
    let lastConflict: unknown;
    const written = await retrying(MAX_CONFLICT_RETRIES + 1, CONFLICT_BACKOFF, async () => {
      // Duplicates are set aside and the rest written again at once; a conflict waits a moment.
      while (remaining.length > 0) {
        const items: TransactItem[] = remaining.map((entry) => ({ Put: putOf(entry) }));
        try {
          await db.send(new TransactWriteCommand({ TransactItems: items }));
          for (const entry of remaining) outcomes.set(scopedId(entry.event), { eventId: entry.event.eventId, outcome: 'recorded' });
          return true;
        } catch (error) {
          if (!(error instanceof TransactionCanceledException)) throw error;
          const reasons = error.CancellationReasons ?? [];
          const duplicates = new Set<number>();
          for (const [i, entry] of remaining.entries()) {
            const reason = reasons[i];
            if (reason?.Code === 'ConditionalCheckFailed') {
              outcomes.set(scopedId(entry.event), {
                eventId: entry.event.eventId,
                outcome: 'exists',
                existing: await existing(entry.event.instanceId, entry.event.eventId, reason.Item),
              });
              duplicates.add(i);
            }
          }
          if (duplicates.size > 0) {
            remaining = remaining.filter((_, i) => !duplicates.has(i));
            continue;
          }
          if (!reasons.some((r) => r.Code === 'TransactionConflict')) throw error;
          lastConflict = error;
          return TRY_AGAIN;
        }
      }
      return true;
    });
    if (written === TRY_AGAIN) throw lastConflict;
  }

  return {
    async record(entries) {
      // A second copy of an id (in the same instance) inside one batch is a duplicate of the first.
      const firstIndex = new Map<string, number>();
      const firsts: Entry[] = [];
      entries.forEach((entry, index) => {
        if (firstIndex.has(scopedId(entry.event))) return;
        firstIndex.set(scopedId(entry.event), index);
        firsts.push(entry);
      });
      const outcomes = new Map<string, RecordOutcome>();
      for (const group of pack(firsts)) {
        if (group.length === 1 && group[0]) await writeOne(group[0], outcomes);
        else await writeGroup(group, outcomes);
      }
      const results: RecordOutcome[] = [];
      for (const [index, entry] of entries.entries()) {
        const id = entry.event.eventId;
        const first = outcomes.get(scopedId(entry.event));
        if (!first) throw new Error(`no outcome for event ${id}`);
        if (firstIndex.get(scopedId(entry.event)) === index) {
          results.push(first);
        } else {
          const stored = first.outcome === 'exists' ? first.existing : await existing(entry.event.instanceId, id, undefined);
          results.push({ eventId: id, outcome: 'exists', existing: stored });
        }
      }
      return results;
    },
  };
}
