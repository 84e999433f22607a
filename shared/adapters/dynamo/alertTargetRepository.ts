/** The instance's alert target (SPEC §13): one item beside its rules, its secrets sealed like a rule's. */
import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AlertTargetStore } from '../../services/ruleHealthPorts';
import { applied } from './conditions';
import { alertTargetFromItem, alertTargetToItem, keys } from './shape';

export function dynamoAlertTargetStore(db: DynamoDBDocumentClient, tableName: string): AlertTargetStore {
  return {
    async get(instanceId) {
      const out = await db.send(new GetCommand({ TableName: tableName, Key: keys.alertTarget(instanceId) }));
      return alertTargetFromItem(out.Item);
    },
    async put(instanceId, notify, at) {
      await db.send(new PutCommand({ TableName: tableName, Item: alertTargetToItem(instanceId, notify, at) }));
    },
    async remove(instanceId) {
      return applied(() =>
        db.send(new DeleteCommand({ TableName: tableName, Key: keys.alertTarget(instanceId), ConditionExpression: 'attribute_exists(pk)' })),
      );
    },
  };
}
