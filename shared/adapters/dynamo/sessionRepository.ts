/** Console sessions: one item per session, keyed by the SHA-256 of its token, swept by TTL. */
import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SessionStore, SessionSubject } from '../../services/sessions';
import { keys } from './keys';

function toSubject(item: Record<string, unknown>): SessionSubject | undefined {
  if (item.subjectKind === 'admin' && typeof item.adminDigest === 'string') return { kind: 'admin', adminDigest: item.adminDigest };
  if (item.subjectKind === 'key' && typeof item.keyId === 'string') return { kind: 'key', keyId: item.keyId };
  return undefined;
}

export function dynamoSessionStore(db: DynamoDBDocumentClient, tableName: string): SessionStore {
  return {
    async put(record) {
      const { subject } = record;
      await db.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            ...keys.session(record.tokenHash),
            type: 'session',
            subjectKind: subject.kind,
            ...(subject.kind === 'admin' ? { adminDigest: subject.adminDigest } : { keyId: subject.keyId }),
            createdAt: record.createdAt,
            expiresAt: record.expiresAt,
            ttl: Math.ceil(Date.parse(record.expiresAt) / 1000),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    },
    async get(tokenHash) {
      // Strongly consistent: the console's first request follows sign-in at once.
      const out = await db.send(new GetCommand({ TableName: tableName, Key: keys.session(tokenHash), ConsistentRead: true }));
      const item = out.Item;
      if (!item || typeof item.expiresAt !== 'string' || typeof item.createdAt !== 'string') return undefined;
      const subject = toSubject(item);
      return subject ? { tokenHash, subject, createdAt: item.createdAt, expiresAt: item.expiresAt } : undefined;
    },
    async remove(tokenHash) {
      await db.send(new DeleteCommand({ TableName: tableName, Key: keys.session(tokenHash) }));
    },
  };
}
