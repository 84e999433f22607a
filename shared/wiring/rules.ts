/** Wiring of the rules function: the rule use cases and the rule test route. */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SecretSealer } from '../adapters/crypto/secretSealer';
import { dynamoChatbotStore } from '../adapters/dynamo/chatbotRepository';
import { dynamoRuleStore } from '../adapters/dynamo/ruleRepository';
import { createHttpSender } from '../adapters/http/httpSender';
import { checkTargetHost } from '../adapters/net/targetGuard';
import type { Config } from '../config';
import type { RuleServiceDeps } from '../services/rules';
import type { RuleTestDeps } from '../services/ruleTest';
import { deliverySettings } from './delivery';

export function ruleServiceDeps(config: Config, db: DynamoDBDocumentClient, sealer: SecretSealer): RuleServiceDeps {
  return {
    store: dynamoRuleStore(db, config.tableName),
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
