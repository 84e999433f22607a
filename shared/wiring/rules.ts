/** Wiring of the rules function: the rule use cases and the rule test route. */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SecretSealer } from '../adapters/crypto/secretSealer';
import { dynamoChatbotStore } from '../adapters/dynamo/chatbotRepository';
import { dynamoRuleStore } from '../adapters/dynamo/ruleRepository';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { dynamoAlertTargetStore } from '../adapters/dynamo/alertTargetRepository';
import { dynamoHeldDeliveries, dynamoRuleHealthStore } from '../adapters/dynamo/ruleHealthRepository';
import { sqsDeliveryQueue } from '../adapters/sqs/deliveryQueue';
import { dynamoChatbotStateReader } from '../adapters/dynamo/chatbotStatusRepository';
import type { OperationsDeps } from '../services/ruleHealth';
import { createHttpSender } from '../adapters/http/httpSender';
import { checkTargetHost } from '../adapters/net/targetGuard';
import type { Config } from '../config';
import type { RuleServiceDeps } from '../services/rules';
import type { RuleTestDeps } from '../services/ruleTest';
import { deliverySettings } from './delivery';

/** `sqs`: lets a target edit resume the rule (re-queue what it holds). */
export function ruleServiceDeps(config: Config, db: DynamoDBDocumentClient, sealer: SecretSealer, sqs?: SQSClient): RuleServiceDeps {
  return {
    store: dynamoRuleStore(db, config.tableName),
    health: dynamoRuleHealthStore(db, config.tableName),
    ...(sqs ? { resume: { health: dynamoRuleHealthStore(db, config.tableName), held: dynamoHeldDeliveries(db, config.tableName), queue: sqsDeliveryQueue(sqs, config.queueUrl) } } : {}),
    sealer,
    checkHost: (url) => checkTargetHost(url, { allowPrivate: config.allowPrivateTargets }),
    settings: {
      maxRulesPerRegion: config.maxRulesPerRegion,
      unsupportedRegions: config.unsupportedRegions,
      dingtalkWebhookPrefix: config.dingtalkWebhookPrefix,
      chatPrefixes: { feishu: config.chat.feishu.prefixes, wecom: config.chat.wecom.prefixes, slack: config.chat.slack.prefixes },
    },
  };
}

export function ruleTestDeps(config: Config, db: DynamoDBDocumentClient, sealer: SecretSealer): RuleTestDeps {
  return {
    store: dynamoRuleStore(db, config.tableName),
    chatbots: dynamoChatbotStore(db, config.tableName, config.eventRetentionSeconds),
    sender: createHttpSender({ allowPrivate: config.allowPrivateTargets }),
    sealer,
    settings: deliverySettings(config),
  };
}

/** Resume, and the instance's alert target (SPEC §13): routes of the rules function. */
export function operationsDeps(config: Config, db: DynamoDBDocumentClient, sqs: SQSClient): OperationsDeps {
  return {
    rules: dynamoRuleStore(db, config.tableName),
    health: dynamoRuleHealthStore(db, config.tableName),
    held: dynamoHeldDeliveries(db, config.tableName),
    queue: sqsDeliveryQueue(sqs, config.queueUrl),
    alerts: dynamoAlertTargetStore(db, config.tableName),
    chatbots: {
      rules: dynamoRuleStore(db, config.tableName),
      bots: dynamoChatbotStateReader(db, config.tableName),
      // DingTalk: one sliding window (SPEC §6); the others as configured (SPEC §12).
      windowsOf: (method) =>
        method === 'dingtalk'
          ? [{ limit: config.dingtalkRateLimit, windowSeconds: config.dingtalkRateWindowSeconds }]
          : config.chat[method].windows.map((w) => ({ limit: w.limit, windowSeconds: w.windowMs / 1000 })),
    },
  };
}
