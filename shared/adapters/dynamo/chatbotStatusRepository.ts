/**
 * Read-only view of a chatbot's limiter state for the status route (SPEC §13): the state
 * item the limiter keeps (shape/chatbot.ts: slots map, pausedUntil, flushDueAt) and a
 * count of its mailbox items. Kept apart from the limiter so that one can change shape
 * behind its own store; only these three attributes and the key are read.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ChatbotStateReader } from '../../services/chatbotStatus';
import { queryPages } from './queryAll';
import { botStateFromItem, keys } from './shape';

export function dynamoChatbotStateReader(db: DynamoDBDocumentClient, tableName: string): ChatbotStateReader {
  async function countMail(botId: string): Promise<number> {
    let count = 0;
    const pages = queryPages(db, {
      TableName: tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :mail)',
      ExpressionAttributeValues: { ':pk': keys.botPartition(botId), ':mail': keys.mailPrefix },
      Select: 'COUNT',
    });
    for await (const page of pages) count += page.Count ?? 0;
    return count;
  }

  return {
    async read(botId) {
      const [state, mail] = await Promise.all([
        db.send(new GetCommand({ TableName: tableName, Key: keys.botState(botId), ProjectionExpression: 'slots, pausedUntil, flushDueAt' })),
        countMail(botId),
      ]);
      const { slots, pausedUntil, flushDueAt } = botStateFromItem(state.Item);
      return {
        slotsUntil: Object.values(slots ?? {}),
        ...(pausedUntil !== undefined ? { pausedUntil } : {}),
        ...(flushDueAt !== undefined ? { flushDueAt } : {}),
        waiting: mail,
      };
    },
  };
}
