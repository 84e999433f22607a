/** Registry sources: one item per source, by id, holding only the SHA-256 of its token; listed per instance on gsi1. */
import { DeleteCommand, GetCommand, paginateQuery, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SOURCE_KINDS } from '../../domain/sources';
import type { SourceKind } from '../../domain/sources';
import type { SourcePayloadStore, SourceRecord, SourceStore } from '../../services/sourcePorts';
import { epochSeconds } from './deliveryItems';
import { applied } from './conditions';
import { keys } from './keys';

const isKind = (value: unknown): value is SourceKind => typeof value === 'string' && (SOURCE_KINDS as readonly string[]).includes(value);

function toRecord(item: Record<string, unknown>): SourceRecord | undefined {
  if (!isKind(item.kind)) return undefined;
  return {
    sourceId: String(item.sourceId),
    instanceId: String(item.instanceId),
    name: String(item.name),
    kind: item.kind,
    regionId: String(item.regionId),
    tokenHash: String(item.tokenHash),
    createdAt: String(item.createdAt),
  };
}

export function dynamoSourceStore(db: DynamoDBDocumentClient, tableName: string): SourceStore {
  return {
    async put(record) {
      await db.send(
        new PutCommand({
          TableName: tableName,
          Item: { ...keys.source(record.sourceId), ...keys.sourceListing(record.instanceId, record.createdAt, record.sourceId), type: 'source', ...record },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    },
    async get(sourceId) {
      const out = await db.send(new GetCommand({ TableName: tableName, Key: keys.source(sourceId), ConsistentRead: true }));
      return out.Item ? toRecord(out.Item) : undefined;
    },
    async list(instanceId) {
      // gsi1 reads are eventually consistent (an index offers no other kind).
      const records: SourceRecord[] = [];
      const pages = paginateQuery(
        { client: db },
        { TableName: tableName, IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :p', ExpressionAttributeValues: { ':p': keys.sourceListingPartition(instanceId) } },
      );
      for await (const page of pages) {
        for (const item of page.Items ?? []) {
          const record = toRecord(item);
          if (record) records.push(record);
        }
      }
      return records;
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
      await db.send(
        new PutCommand({
          TableName: tableName,
          Item: { ...keys.sourcePayload(payloadId), type: 'sourcePayload', json: payload.json, expiresAt: payload.expiresAt, ttl: epochSeconds(payload.expiresAt) },
        }),
      );
    },
    async get(payloadId, nowIso) {
      const out = await db.send(new GetCommand({ TableName: tableName, Key: keys.sourcePayload(payloadId), ConsistentRead: true }));
      const item = out.Item;
      if (!item || typeof item.json !== 'string' || typeof item.expiresAt !== 'string' || item.expiresAt <= nowIso) return undefined;
      return { json: item.json, expiresAt: item.expiresAt };
    },
  };
}
