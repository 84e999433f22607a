/** Registry sources: one item per source, by id, holding only the SHA-256 of its token; listed per instance on gsi1. */
import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SourcePayloadStore, SourceRecord, SourceStore } from '../../services/sourcePorts';
import { applied } from './conditions';
import { queryAll } from './queryAll';
import { keys, payloadFromItem, payloadToItem, sourceFromItem, sourceToItem } from './shape';

export function dynamoSourceStore(db: DynamoDBDocumentClient, tableName: string): SourceStore {
  return {
    async put(record) {
      await db.send(new PutCommand({ TableName: tableName, Item: sourceToItem(record), ConditionExpression: 'attribute_not_exists(pk)' }));
    },
    async get(sourceId) {
      const out = await db.send(new GetCommand({ TableName: tableName, Key: keys.source(sourceId), ConsistentRead: true }));
      return out.Item ? sourceFromItem(out.Item) : undefined;
    },
    async list(instanceId) {
      // gsi1 reads are eventually consistent (an index offers no other kind).
      const items = await queryAll(db, {
        TableName: tableName,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :p',
        ExpressionAttributeValues: { ':p': keys.sourceListingPartition(instanceId) },
      });
      return items.map(sourceFromItem).filter((record): record is SourceRecord => record !== undefined);
    },
    async remove(instanceId, sourceId) {
      return applied(() =>
        db.send(
          new DeleteCommand({
            TableName: tableName,
            Key: keys.source(sourceId),
            ConditionExpression: 'attribute_exists(pk) AND instanceId = :i',
            ExpressionAttributeValues: { ':i': instanceId },
          }),
        ),
      );
    },
  };
}

/** Native payloads: one item per distinct payload of a source, with the events' retention (TTL). */
export function dynamoSourcePayloadStore(db: DynamoDBDocumentClient, tableName: string): SourcePayloadStore {
  return {
    async put(payloadId, payload) {
      // Unconditional: a replay writes the same content with a later expiry, which covers the earlier events too.
      await db.send(new PutCommand({ TableName: tableName, Item: payloadToItem(payloadId, payload) }));
    },
    async get(payloadId, nowIso) {
      const out = await db.send(new GetCommand({ TableName: tableName, Key: keys.sourcePayload(payloadId), ConsistentRead: true }));
      const payload = out.Item ? payloadFromItem(out.Item) : undefined;
      return payload && payload.expiresAt > nowIso ? payload : undefined;
    },
  };
}
