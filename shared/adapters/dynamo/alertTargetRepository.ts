/** The instance's alert target (SPEC §13): one item beside its rules, its secrets sealed like a rule's. */
import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AlertTargetStore } from '../../services/ruleHealthPorts';
import type { StoredNotify } from '../../services/ruleStore';
import { applied } from './conditions';
import { keys } from './keys';

function toNotify(value: unknown): StoredNotify | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const n = value as Record<string, unknown>;
  const sealedSecret = typeof n.sealedSecret === 'string' ? { sealedSecret: n.sealedSecret } : {};
  if (n.method === 'dingtalk' && typeof n.webhookUrlMasked === 'string' && typeof n.sealedWebhookUrl === 'string' && typeof n.botId === 'string') {
    return { method: 'dingtalk', webhookUrlMasked: n.webhookUrlMasked, sealedWebhookUrl: n.sealedWebhookUrl, botId: n.botId, ...sealedSecret };
  }
  if ((n.method === 'http' || n.method === 'https') && typeof n.url === 'string') return { method: n.method, url: n.url, ...sealedSecret };
  return undefined;
}

export function dynamoAlertTargetStore(db: DynamoDBDocumentClient, tableName: string): AlertTargetStore {
  return {
    async get(instanceId) {
      const out = await db.send(new GetCommand({ TableName: tableName, Key: keys.alertTarget(instanceId) }));
      return toNotify(out.Item?.notify);
    },
    async put(instanceId, notify, at) {
      await db.send(new PutCommand({ TableName: tableName, Item: { ...keys.alertTarget(instanceId), type: 'alertTarget', notify, updatedAt: at } }));
    },
    async remove(instanceId) {
      return applied(() =>
        db.send(new DeleteCommand({ TableName: tableName, Key: keys.alertTarget(instanceId), ConditionExpression: 'attribute_exists(pk)' })),
      );
    },
  };
}
