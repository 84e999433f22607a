/**
 * Operator alerts (SPEC §13): one alert target per instance, any notify method, secrets
 * sealed and masked like a rule's; a notice when a rule is suspended and when it recovers.
 * Sending goes through `AlertSender`, a small seam the target registry can serve later;
 * this one covers the methods of today (dingtalk, http, https) with the existing sending
 * code. An alert is best effort: a failing alert target is logged and counted, never
 * thrown into the delivery that triggered it.
 */
import type { HttpSender } from './httpSenderPort';
import type { SecretSealer } from './secretSealerPort';
import { chatTarget } from '../targets/registry';
import { chatWindowPlan } from './deliverySettings';
import type { ChatbotStore } from './chatbotPorts';
import type { DeliverySettings } from './deliverySettings';
import { notFound } from '../domain/errors';
import type { MaskedNotify, Notify } from '../domain/rules';
import { describeResult, signedWebhookHeaders } from './deliverHttp';
import type { AlertTargetStore } from './ruleHealthPorts';
import type { RuleServiceDeps } from './rules';
import { notifyView, sealNotify } from './rules';
import type { StoredNotify } from './ruleStore';
import { isChatNotify } from './ruleStore';
import { sealContext } from './sealContext';

/** The pseudo rule id alert-target secrets are sealed under (sealing context `rule:<instance>:alerts:<field>`). */
export const ALERTS_SEAL_ID = 'alerts';

export interface AlertNotice {
  kind: 'rule.suspended' | 'rule.recovered';
  instanceId: string;
  ruleId: string;
  ruleName: string;
  at: string;
  reason?: string;
}

export interface AlertSender {
  send(notify: StoredNotify, notice: AlertNotice): Promise<{ outcome: 'delivered' | 'failed'; error?: string }>;
}

export const alertTargetNotFound = (instanceId: string) => notFound('AlertTargetNotFound', `Instance ${instanceId} has no alert target.`);

export async function putAlertTarget(deps: RuleServiceDeps & { alerts: AlertTargetStore }, instanceId: string, notify: Notify): Promise<{ notify: MaskedNotify }> {
  const stored = await sealNotify(deps, instanceId, ALERTS_SEAL_ID, notify);
  await deps.alerts.put(instanceId, stored, (deps.now?.() ?? new Date()).toISOString());
  return { notify: notifyView(stored) };
}

export async function getAlertTarget(deps: { alerts: AlertTargetStore }, instanceId: string): Promise<{ notify: MaskedNotify }> {
  const stored = await deps.alerts.get(instanceId);
  if (!stored) throw alertTargetNotFound(instanceId);
  return { notify: notifyView(stored) };
}

export async function deleteAlertTarget(deps: { alerts: AlertTargetStore }, instanceId: string): Promise<void> {
  if (!(await deps.alerts.remove(instanceId))) throw alertTargetNotFound(instanceId);
}

function noticeText(notice: AlertNotice): { title: string; text: string } {
  const title = notice.kind === 'rule.suspended' ? `Rule ${notice.ruleName} suspended` : `Rule ${notice.ruleName} recovered`;
  const lines = [`### ${title}`, `- instance: ${notice.instanceId}`, `- rule: ${notice.ruleId}`, `- at: ${notice.at}`];
  if (notice.reason) lines.push(`- reason: ${notice.reason}`);
  return { title, text: lines.join('\n') };
}

/** Any notify method: a chat provider's message through its target (signed, within the bot's limits), or a signed JSON POST. */
export function httpAlertSender(deps: {
  sender: HttpSender;
  sealer: SecretSealer;
  chatbots: Pick<ChatbotStore, 'acquire' | 'settle'>;
  settings: DeliverySettings;
  now?: () => number;
}): AlertSender {
  const now = () => (deps.now ?? Date.now)();
  const { timeoutMs, userAgent } = deps.settings;
  return {
    async send(notify, notice) {
      const at = now();
      const alertId = `alert_${notice.ruleId}_${notice.kind}_${Date.parse(notice.at)}`;
      if (isChatNotify(notify)) {
        // An alert to a chatbot takes a send slot like any message: every window of the bot holds.
        const target = chatTarget(notify.method);
        const { limits: s, main, shorter } = chatWindowPlan(deps.settings, notify.method);
        const windowMs = main.windowMs;
        const grant = await deps.chatbots.acquire(notify.botId, at, { limit: main.limit, holdMs: timeoutMs + windowMs + s.marginMs, ...(shorter.length > 0 ? { shorter } : {}) });
        if (!grant.ok) return { outcome: 'failed', error: 'the alert chatbot has no send slot left in its window' };
        const url = await deps.sealer.open(notify.sealedWebhookUrl, sealContext(notice.instanceId, ALERTS_SEAL_ID, 'webhookUrl'));
        const secret = notify.sealedSecret ? await deps.sealer.open(notify.sealedSecret, sealContext(notice.instanceId, ALERTS_SEAL_ID, 'secret')) : undefined;
        const request = target.request(url, noticeText(notice), { secret, nowMs: at, msgUuid: alertId });
        const result = await deps.sender.post({ url: request.url, body: request.body, headers: { 'content-type': 'application/json', 'user-agent': userAgent }, timeoutMs });
        await deps.chatbots.settle(notify.botId, grant.slotId, now() + windowMs + s.marginMs);
        if (result.kind === 'error') return { outcome: 'failed', error: result.message };
        const reply = target.classify({ status: result.status, body: result.body, headers: result.headers });
        return reply.outcome === 'delivered' ? { outcome: 'delivered' } : { outcome: 'failed', error: `${target.label} answered ${reply.providerCode ?? result.status}` };
      }
      const body = JSON.stringify(notice);
      const headers = await signedWebhookHeaders({ deliveryId: alertId, instanceId: notice.instanceId, ruleId: ALERTS_SEAL_ID, notify }, body, deps.sealer, new Date(at), userAgent);
      const result = await deps.sender.post({ url: notify.url, body, headers: { ...headers, 'content-type': 'application/json' }, timeoutMs });
      const described = describeResult(result);
      return described.outcome === 'delivered' ? { outcome: 'delivered' } : { outcome: 'failed', error: described.error ?? 'not delivered' };
    },
  };
}
