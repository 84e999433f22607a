/** API key records: stored by key id, holding only the SHA-256 of the key. */
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { apiKeyFromItem, apiKeyToItem, keys } from './shape';
import { applied } from './conditions';
import { queryAll } from './queryAll';
import type { ApiKeyStore } from '../../services/apiKeyPorts';

export type { ApiKeyRecord, ApiKeyStore } from '../../services/apiKeyPorts';

export function dynamoApiKeyStore(db: DynamoDBDocumentClient, tableName: string): ApiKeyStore {
  return {
    async put(record) {
      await db.send(new PutCommand({ TableName: tableName, Item: apiKeyToItem(record), ConditionExpression: 'attribute_not_exists(pk)' }));
    },
    async get(keyId) {
      const out = await db.send(new GetCommand({ TableName: tableName, Key: keys.apiKey(keyId), ConsistentRead: true }));
      return out.Item ? apiKeyFromItem(out.Item) : undefined;
    },
    async list() {
      const items = await queryAll(db, {
        TableName: tableName,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :p',
        ExpressionAttributeValues: { ':p': keys.apiKeyListingPartition },
      });
      return items.map(apiKeyFromItem);
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
