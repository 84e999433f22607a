/** Creates the table in DynamoDB Local from resources/table.yml, if it is missing. */
import {
  CreateTableCommand,
  DescribeTableCommand,
  ResourceNotFoundException,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { readTableDefinition } from './serviceDefinition';

export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<'created' | 'exists'> {
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
    return 'exists';
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }
  const def = readTableDefinition();
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: def.BillingMode,
      AttributeDefinitions: def.AttributeDefinitions,
      KeySchema: def.KeySchema,
      ...(def.GlobalSecondaryIndexes.length > 0 ? { GlobalSecondaryIndexes: def.GlobalSecondaryIndexes } : {}),
    }),
  );
  // DynamoDB Local accepts the TTL setting but never sweeps; reads filter on expiresAt anyway.
  await client.send(
    new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: def.TimeToLiveSpecification }),
  );
  return 'created';
}
