/**
 * The one paging loop over DynamoDB Query results. `queryPages` yields page after page
 * from an optional resume key (a listing that stops mid-way, as history does);
 * `queryAll` collects every item; `queryPage` reads one page for a caller that pages
 * through a listing itself (resume, held deliveries). Table reads are strongly consistent unless the caller
 * says otherwise; an index offers only eventually consistent reads.
 */
import { paginateQuery, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient, QueryCommandInput, QueryCommandOutput } from '@aws-sdk/lib-dynamodb';

export function queryPages(db: DynamoDBDocumentClient, input: QueryCommandInput, start?: Record<string, unknown>): AsyncIterable<QueryCommandOutput> {
  return paginateQuery({ client: db, ...(start ? { startingToken: start } : {}) }, input);
}

export async function queryAll(db: DynamoDBDocumentClient, input: QueryCommandInput): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  const consistent = input.IndexName === undefined ? { ConsistentRead: true } : {};
  for await (const page of queryPages(db, { ...consistent, ...input })) items.push(...(page.Items ?? []));
  return items;
}

export async function queryPage(
  db: DynamoDBDocumentClient,
  input: QueryCommandInput,
  start?: Record<string, unknown>,
): Promise<{ items: Record<string, unknown>[]; next?: Record<string, unknown> }> {
  const out = await db.send(new QueryCommand({ ...input, ...(start ? { ExclusiveStartKey: start } : {}) }));
  return { items: out.Items ?? [], ...(out.LastEvaluatedKey ? { next: out.LastEvaluatedKey } : {}) };
}
