/** API key records: stored by key id, holding only the SHA-256 of the key. */
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Scope } from '../../domain/apiKeys';
import { keys } from './keys';
import { applied } from './conditions';
import type { ApiKeyRecord, ApiKeyStore } from '../../services/apiKeyPorts';

export type { ApiKeyRecord, ApiKeyStore } from '../../services/apiKeyPorts';

function toRecord(item: Record<string, unknown>): ApiKeyRecord {
  return {
    keyId: String(item.keyId),
    name: String(item.name),
    scopes: (item.scopes as Scope[] | undefined) ?? [],
    instanceIds: (item.instanceIds as string[] | undefined) ?? [],
    keyHash: String(item.keyHash),
    createdAt: String(item.createdAt),
    ...(typeof item.revokedAt === 'string' ? { revokedAt: item.revokedAt } : {}),
  };
}

export function dynamoApiKeyStore(db: DynamoDBDocumentClient, tableName: string): ApiKeyStore {
  return {
    async put(record) {
      await db.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            ...keys.apiKey(record.keyId),
            ...keys.apiKeyListing(record.createdAt, record.keyId),
            type: 'apiKey',
            ...record,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    },
    async get(keyId) {
      const out = await db.send(new GetCommand({ TableName: tableName, Key: keys.apiKey(keyId), ConsistentRead: true }));
      return out.Item ? toRecord(out.Item) : undefined;
    },
    async list() {
      const records: ApiKeyRecord[] = [];
      let startKey: Record<string, unknown> | undefined;
      do {
        const out = await db.send(
          new QueryCommand({
            TableName: tableName,
            IndexName: 'gsi1',
            KeyConditionExpression: 'gsi1pk = :p',
            ExpressionAttributeValues: { ':p': keys.apiKeyListingPartition },
            ExclusiveStartKey: startKey,
          }),
        );
        for (const item of out.Items ?? []) records.push(toRecord(item));
        startKey = out.LastEvaluatedKey;
      } while (startKey);
      return records;
    },
    async revoke(keyId, at) {
      return applied(() =>
        db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: keys.apiKey(keyId),
            UpdateExpression: 'SET revokedAt = if_not_exists(revokedAt, :at)',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeValues: { ':at': at },
          }),
        ),
      );
    },
  };
}
