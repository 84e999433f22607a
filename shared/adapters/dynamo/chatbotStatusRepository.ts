/**
 * Read-only view of a chatbot's limiter state for the status route (SPEC §13): the state
 * item the limiter keeps (chatbotRepository.ts: `BOT#<id>` / `STATE`, slots map, pausedUntil,
 * flushDueAt) and a count of its mailbox items. Kept apart from the limiter so that one can
 * change shape behind its own store; only these three attributes and the key are read.
 */
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ChatbotStateReader } from '../../services/chatbotStatus';

export function dynamoChatbotStateReader(db: DynamoDBDocumentClient, tableName: string): ChatbotStateReader {
  return {
    async read(botId) {
      const pk = `BOT#${botId}`;
      const [state, mail] = await Promise.all([
        db.send(new GetCommand({ TableName: tableName, Key: { pk, sk: 'STATE' }, ProjectionExpression: 'slots, pausedUntil, flushDueAt' })),
        (async () => {
          let count = 0;
          let start: Record<string, unknown> | undefined;
          do {
            const out = await db.send(
              new QueryCommand({
                TableName: tableName,
                KeyConditionExpression: 'pk = :pk AND begins_with(sk, :mail)',
                ExpressionAttributeValues: { ':pk': pk, ':mail': 'MAIL#' },
                Select: 'COUNT',
                ExclusiveStartKey: start,
              }),
            );
            count += out.Count ?? 0;
            start = out.LastEvaluatedKey;
          } while (start);
          return count;
        })(),
      ]);
      const item = state.Item ?? {};
      const slots = typeof item.slots === 'object' && item.slots !== null ? Object.values(item.slots as Record<string, unknown>).filter((v): v is number => typeof v === 'number') : [];
      return {
        slotsUntil: slots,
        ...(typeof item.pausedUntil === 'number' ? { pausedUntil: item.pausedUntil } : {}),
        ...(typeof item.flushDueAt === 'number' ? { flushDueAt: item.flushDueAt } : {}),
        waiting: mail,
      };
    },
  };
}
