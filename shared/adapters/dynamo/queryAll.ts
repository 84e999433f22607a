/** Every item of a strongly consistent Query, page after page. */
import { paginateQuery } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient, QueryCommandInput } from '@aws-sdk/lib-dynamodb';

export async function queryAll(db: DynamoDBDocumentClient, input: Omit<QueryCommandInput, 'ConsistentRead'>): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  for await (const page of paginateQuery({ client: db }, { ...input, ConsistentRead: true })) items.push(...(page.Items ?? []));
  return items;
}
