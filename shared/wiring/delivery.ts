/** Wiring of the delivery worker and of what shares its parts (rule test, reconciler). */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { SecretSealer } from '../adapters/crypto/secretSealer';
import { dynamoChatbotStore } from '../adapters/dynamo/chatbotRepository';
import { dynamoDeliveryRepository } from '../adapters/dynamo/deliveryRepository';
import { dynamoRuleStore } from '../adapters/dynamo/ruleRepository';
import { createHttpSender } from '../adapters/http/httpSender';
import type { HttpSender } from '../adapters/http/httpSender';
import { dynamoAlertTargetStore } from '../adapters/dynamo/alertTargetRepository';
import { dynamoHeldDeliveries, dynamoRuleHealthStore } from '../adapters/dynamo/ruleHealthRepository';
import { httpAlertSender } from '../services/alerts';
import type { ChatbotStore } from '../services/chatbotPorts';
import { sqsDelayedQueue } from '../adapters/sqs/deliveryQueue';
import type { Config } from '../config';
import type { AppLogger } from '../observability/logger';
import type { DeliverDeps } from '../services/deliver';
import { stdoutMetrics } from '../observability/metrics';
import { safetyMarginMs } from '../services/deliverySettings';
import type { DeliverySettings } from '../services/deliverySettings';

export function userAgentOf(config: Pick<Config, 'version'>): string {
  return `registry-event-notifications/${config.version}`;
}

export function deliverySettings(config: Config): DeliverySettings {
  const windowMs = config.dingtalkRateWindowSeconds * 1000;
  return {
    retry: { baseSeconds: config.retryBaseSeconds, maxDelaySeconds: config.retryMaxDelaySeconds, maxAttempts: config.retryMaxAttempts },
    timeoutMs: config.deliveryTimeoutMs,
    userAgent: userAgentOf(config),
    dingtalk: {
      limit: config.dingtalkRateLimit,
      windowMs,
      throttleMs: config.dingtalkThrottleSeconds * 1000,
      marginMs: safetyMarginMs(windowMs),
    },
    chat: {
      feishu: { windows: config.chat.feishu.windows, throttleMs: config.chat.feishu.throttleSeconds * 1000 },
      wecom: { windows: config.chat.wecom.windows, throttleMs: config.chat.wecom.throttleSeconds * 1000 },
      slack: { windows: config.chat.slack.windows, throttleMs: config.chat.slack.throttleSeconds * 1000 },
    },
  };
}

/** Rule health, the circuit breaker and alerts (SPEC §13), as the delivery worker uses them. */
export function ruleHealthDeps(
  config: Config,
  db: DynamoDBDocumentClient,
  sealer: SecretSealer,
  log: AppLogger,
  parts: { sender: HttpSender; chatbots: ChatbotStore },
): NonNullable<DeliverDeps['ruleHealth']> {
  return {
    health: dynamoRuleHealthStore(db, config.tableName),
    held: dynamoHeldDeliveries(db, config.tableName),
    rules: dynamoRuleStore(db, config.tableName),
    alerts: dynamoAlertTargetStore(db, config.tableName),
    alertSender: httpAlertSender({ sender: parts.sender, sealer, chatbots: parts.chatbots, settings: deliverySettings(config) }),
    breaker: { afterSeconds: config.suspendAfterSeconds, minAttempts: config.suspendMinAttempts },
    log: (message, fields) => log.info(message, fields),
    warn: (message, fields) => log.warn(message, fields),
    metrics: stdoutMetrics,
  };
}

export function deliverDeps(config: Config, db: DynamoDBDocumentClient, sealer: SecretSealer, sqs: SQSClient, log: AppLogger): DeliverDeps {
  const sender = createHttpSender({ allowPrivate: config.allowPrivateTargets });
  const chatbots = dynamoChatbotStore(db, config.tableName, config.eventRetentionSeconds);
  return {
    deliveries: dynamoDeliveryRepository(db, config.tableName),
    chatbots,
    queue: sqsDelayedQueue(sqs, config.queueUrl),
    sender,
    sealer,
    settings: deliverySettings(config),
    log: (message, fields) => log.info(message, fields),
    metrics: stdoutMetrics,
    ruleHealth: ruleHealthDeps(config, db, sealer, log, { sender, chatbots }),
  };
}
