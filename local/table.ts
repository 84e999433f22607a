/** Creates the table in DynamoDB Local from resources/table.yml, if it is missing. */
import {
  CreateTableCommand,
  DescribeTableCommand,
  ResourceNotFoundException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { readTableDefinition } from './serviceDefinition';

export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<'created' | 'exists'> {
  const def = readTableDefinition();
  try {
    const described = await client.send(new DescribeTableCommand({ TableName: tableName }));
    await addMissingIndexes(client, tableName, def, new Set((described.Table?.GlobalSecondaryIndexes ?? []).map((i) => i.IndexName)));
    return 'exists';
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }
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

/**
 * A table kept under LOCAL_DATA_DIR from an older version lacks the indexes added since
 * (gsi3: held deliveries): they are added, as a CloudFormation update would.
 */
async function addMissingIndexes(client: DynamoDBClient, tableName: string, def: ReturnType<typeof readTableDefinition>, present: Set<string | undefined>): Promise<void> {
  for (const index of def.GlobalSecondaryIndexes.filter((i) => !present.has(i.IndexName))) {
    const attributes = new Set(index.KeySchema.map((k) => k.AttributeName));
    await client.send(
      new UpdateTableCommand({
        TableName: tableName,
        AttributeDefinitions: def.AttributeDefinitions.filter((a) => attributes.has(a.AttributeName)),
        GlobalSecondaryIndexUpdates: [{ Create: index }],
      }),
    );
  }
}
