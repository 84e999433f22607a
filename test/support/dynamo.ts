/** A fresh table on the shared DynamoDB Local, created from resources/table.yml. */
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { createDocumentClient } from '../../shared/adapters/dynamo/client';
import { localDynamoClient } from '../../local/dynamoLocal';
import { ensureTable } from '../../local/table';

export interface TestTable {
  endpoint: string;
  tableName: string;
  db: DynamoDBDocumentClient;
  drop(): Promise<void>;
}

export async function createTestTable(prefix = 'test'): Promise<TestTable> {
  const endpoint = inject('dynamoEndpoint');
  const tableName = `${prefix}-${randomBytes(6).toString('hex')}`;
  const admin = localDynamoClient(endpoint);
  await ensureTable(admin, tableName);
  const db = createDocumentClient({ dynamodbEndpoint: endpoint, awsRegion: 'us-east-1' });
  return {
    endpoint,
    tableName,
    db,
    async drop() {
      await admin.send(new DeleteTableCommand({ TableName: tableName })).catch(() => undefined);
      admin.destroy();
      db.destroy();
    },
  };
}
