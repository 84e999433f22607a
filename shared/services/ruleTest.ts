/**
 * POST .../rules/{ruleId}/test: one sample notification now, through the same path as
 * real deliveries. For a chatbot it takes a send slot like any delivery (so a test can
 * never push the bot into DingTalk's throttle); with none left → 429 RateLimited. The
 * sample says it is a test: "[Test]" in a chatbot's title and a first line saying so;
 * `Test: true` in a webhook's data.
 */
import { randomBytes } from 'node:crypto';
import type { HttpSender } from './httpSenderPort';
import type { SecretSealer } from './secretSealerPort';
import { chatTarget } from '../targets/registry';
import { chatWindowPlan } from './deliverySettings';
import { isChatNotify } from './ruleStore';
import { rateLimited, ruleNotFound } from '../domain/errors';
import type { AppError } from '../domain/errors';
import { statusesOf } from '../domain/eventTypes';
import type { ChatbotStore } from './chatbotPorts';
import { describeResult, signedWebhookHeaders } from './deliverHttp';
import type { DeliverySettings } from './deliverySettings';
import type { RuleStore, StoredRule } from './ruleStore';
import { sealContext } from './sealContext';

export interface RuleTestDeps {
  store: Pick<RuleStore, 'get'>;
  chatbots: ChatbotStore;
  sender: HttpSender;
  sealer: SecretSealer;
  settings: DeliverySettings;
  now?: () => number;
}

export interface RuleTestResult {
  outcome: 'delivered' | 'failed';
  httpStatus?: number;
  providerCode?: number;
  durationMs: number;
  error?: string;
}

/** Why the chatbot cannot send now: its own window is full, or DingTalk throttled it and it is paused. */
const PROVIDER_NAMES: Readonly<Record<string, string>> = { dingtalk: 'DingTalk', feishu: 'Feishu', wecom: 'WeCom', slack: 'Slack' };

const chatbotRateLimited = (method: string, reason: 'rate' | 'paused' | 'busy', retryAfterSeconds: number): AppError =>
  rateLimited(
    retryAfterSeconds,
    reason === 'paused'
      ? `This chatbot is paused because ${PROVIDER_NAMES[method] ?? method} reported it throttled; nothing is sent to it until the pause ends`
      : 'This chatbot has no sends left in its window',
  );

function sample(rule: StoredRule, nowMs: number) {
  const eventType = rule.eventTypes[0] ?? 'cr:Artifact:ScanCompleted';
  const scope = rule.scope;
  return {
    eventId: `test-${randomBytes(6).toString('hex')}`,
    eventType,
    status: rule.eventStatuses?.[0] ?? statusesOf(eventType)[0] ?? 'SUCCESS',
    instanceId: rule.instanceId,
    regionId: rule.regionId,
    namespace: scope.type === 'NAMESPACE' ? (scope.namespaces[0] ?? 'sample') : scope.type === 'REPO' ? scope.namespace : 'sample',
    repoName: scope.type === 'REPO' ? (scope.repoNames[0] ?? 'sample') : 'sample',
    tag: 'sample',
    time: new Date(nowMs).toISOString(),
    ruleName: rule.ruleName,
  };
}

export async function testRule(deps: RuleTestDeps, instanceId: string, ruleId: string): Promise<RuleTestResult> {
  const now = deps.now ?? Date.now;
  const rule = await deps.store.get(instanceId, ruleId);
  if (!rule) throw ruleNotFound(ruleId);
  const line = sample(rule, now());

  if (isChatNotify(rule.notify)) {
    const target = chatTarget(rule.notify.method);
    const { limits: s, main, shorter } = chatWindowPlan(deps.settings, rule.notify.method);
    const windowMs = main.windowMs;
    const grant = await deps.chatbots.acquire(rule.notify.botId, now(), {
      limit: main.limit,
      holdMs: deps.settings.timeoutMs + windowMs + s.marginMs,
      ...(shorter.length > 0 ? { shorter } : {}),
    });
    if (!grant.ok) throw chatbotRateLimited(rule.notify.method, grant.reason, Math.max(1, Math.ceil((grant.retryAt - now()) / 1000)));
    const url = await deps.sealer.open(rule.notify.sealedWebhookUrl, sealContext(instanceId, ruleId, 'webhookUrl'));
    const secret = rule.notify.sealedSecret ? await deps.sealer.open(rule.notify.sealedSecret, sealContext(instanceId, ruleId, 'secret')) : undefined;
    const start = now();
    const request = target.request(url, target.renderNotification(line, rule.template, { test: true }), { secret, nowMs: start, msgUuid: `test_${line.eventId}` });
    const result = await deps.sender.post({
      url: request.url,
      body: request.body,
      headers: { 'content-type': 'application/json', 'user-agent': deps.settings.userAgent },
      timeoutMs: deps.settings.timeoutMs,
    });
    await deps.chatbots.settle(rule.notify.botId, grant.slotId, now() + windowMs + s.marginMs);
    if (result.kind === 'error') return { outcome: 'failed', durationMs: result.durationMs, error: result.message };
    const reply = target.classify({ status: result.status, body: result.body, headers: result.headers });
    if (reply.outcome === 'throttled') await deps.chatbots.pause(rule.notify.botId, start + (reply.pauseMs ?? s.throttleMs));
    return {
      outcome: reply.outcome === 'delivered' ? 'delivered' : 'failed',
      httpStatus: result.status,
      ...(reply.providerCode !== undefined ? { providerCode: reply.providerCode } : {}),
      durationMs: result.durationMs,
      ...(reply.outcome === 'delivered' ? {} : { error: reply.providerMessage ?? `${target.label} answered ${reply.outcome}` }),
    };
  }

  const at = new Date(now());
  const body = JSON.stringify({
    specversion: '1.0',
    id: line.eventId,
    source: 'registry-event-notifications/test',
    type: line.eventType,
    time: line.time,
    data: { InstanceId: line.instanceId, RegionId: line.regionId, RepoNamespaceName: line.namespace, RepoName: line.repoName, Tag: line.tag, Status: line.status, Test: true },
  });
  const headers = await signedWebhookHeaders({ deliveryId: `msg_${line.eventId}`, instanceId, ruleId, notify: rule.notify }, body, deps.sealer, at, deps.settings.userAgent);
  const result = await deps.sender.post({ url: rule.notify.url, body, headers, timeoutMs: deps.settings.timeoutMs });
  const described = describeResult(result);
  return {
    outcome: described.outcome === 'delivered' ? 'delivered' : 'failed',
    ...(described.httpStatus !== undefined ? { httpStatus: described.httpStatus } : {}),
    durationMs: result.durationMs,
    ...(described.error !== undefined ? { error: described.error } : {}),
  };
}
