/** Console sessions: one item per session, keyed by the SHA-256 of its token, swept by TTL. */
import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SessionStore } from '../../services/sessions';
import { keys, sessionFromItem, sessionToItem } from './shape';

export function dynamoSessionStore(db: DynamoDBDocumentClient, tableName: string): SessionStore {
  return {
    async put(record) {
      await db.send(new PutCommand({ TableName: tableName, Item: sessionToItem(record), ConditionExpression: 'attribute_not_exists(pk)' }));
    },
    async get(tokenHash) {
      // Strongly consistent: the console's first request follows sign-in at once.
      const out = await db.send(new GetCommand({ TableName: tableName, Key: keys.session(tokenHash), ConsistentRead: true }));
      return out.Item ? sessionFromItem(tokenHash, out.Item) : undefined;
    },
    async remove(tokenHash) {
      await db.send(new DeleteCommand({ TableName: tableName, Key: keys.session(tokenHash) }));
    },
  };
}
