/** Wiring of the delivery worker and of what shares its parts (rule test, reconciler). */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { SecretSealer } from '../adapters/crypto/secretSealer';
import { dynamoChatbotStore } from '../adapters/dynamo/chatbotRepository';
import { dynamoDeliveryRepository } from '../adapters/dynamo/deliveryRepository';
import { createHttpSender } from '../adapters/http/httpSender';
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

export function deliverDeps(config: Config, db: DynamoDBDocumentClient, sealer: SecretSealer, sqs: SQSClient, log: AppLogger): DeliverDeps {
  return {
    deliveries: dynamoDeliveryRepository(db, config.tableName),
    chatbots: dynamoChatbotStore(db, config.tableName, config.eventRetentionSeconds),
    queue: sqsDelayedQueue(sqs, config.queueUrl),
    sender: createHttpSender({ allowPrivate: config.allowPrivateTargets }),
    sealer,
    settings: deliverySettings(config),
    log: (message, fields) => log.info(message, fields),
    metrics: stdoutMetrics,
  };
}
