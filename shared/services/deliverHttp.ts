/**
 * HTTP/HTTPS delivery (SPEC §6): the CloudEvent in structured mode, Standard Webhooks
 * headers (webhook-id = the stable delivery id), a timeout per attempt, 2xx delivered,
 * 408/429/5xx/timeouts/connection errors retried with backoff (honouring Retry-After),
 * redirects and other 4xx failed.
 */
import { Webhook } from 'standardwebhooks';
import type { HttpSender, SendResult } from './httpSenderPort';
import type { SecretSealer } from './secretSealerPort';
import { classifyHttpStatus, parseRetryAfter } from '../domain/retry';
import type { Attempt, DeliveryRecord } from './deliveryPorts';
import type { StoredEvent } from './eventStore';
import { sealContext } from './sealContext';
import { isChatNotify } from './ruleStore';

export interface HttpAttemptResult {
  outcome: 'delivered' | 'retry' | 'failed';
  attempt: Omit<Attempt, 'n'>;
  retryAfterSeconds?: number;
}

export function describeResult(result: SendResult): { outcome: 'delivered' | 'retry' | 'failed'; error?: string; httpStatus?: number } {
  if (result.kind === 'error') {
    const permanent = result.error === 'blocked' || result.error === 'invalid-url';
    return { outcome: permanent ? 'failed' : 'retry', error: result.message };
  }
  const outcome = classifyHttpStatus(result.status);
  if (result.status >= 300 && result.status < 400) return { outcome, httpStatus: result.status, error: `redirect not followed (HTTP ${result.status})` };
  return { outcome, httpStatus: result.status, ...(outcome === 'delivered' ? {} : { error: `HTTP ${result.status}` }) };
}

export async function signedWebhookHeaders(
  delivery: Pick<DeliveryRecord, 'deliveryId' | 'instanceId' | 'ruleId' | 'notify'>,
  body: string,
  sealer: SecretSealer,
  now: Date,
  userAgent: string,
): Promise<Record<string, string>> {
  const headers: Record<string, string> = {
    'content-type': 'application/cloudevents+json',
    'user-agent': userAgent,
    'webhook-id': delivery.deliveryId,
    'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
  };
  if (!isChatNotify(delivery.notify) && delivery.notify.sealedSecret) {
    const secret = await sealer.open(delivery.notify.sealedSecret, sealContext(delivery.instanceId, delivery.ruleId, 'secret'));
    headers['webhook-signature'] = new Webhook(secret).sign(delivery.deliveryId, now, body);
  }
  return headers;
}

export async function attemptHttp(
  deps: { sender: HttpSender; sealer: SecretSealer; timeoutMs: number; userAgent: string; now: () => number },
  delivery: DeliveryRecord,
  event: StoredEvent,
): Promise<HttpAttemptResult> {
  if (isChatNotify(delivery.notify)) throw new Error('not an HTTP delivery');
  const at = new Date(deps.now());
  const body = event.rawJson;
  const headers = await signedWebhookHeaders(delivery, body, deps.sealer, at, deps.userAgent);
  const result = await deps.sender.post({ url: delivery.notify.url, body, headers, timeoutMs: deps.timeoutMs });
  const described = describeResult(result);
  const retryAfterSeconds = result.kind === 'response' ? parseRetryAfter(result.headers['retry-after'], deps.now()) : undefined;
  return {
    outcome: described.outcome,
    attempt: {
      at: at.toISOString(),
      durationMs: result.durationMs,
      outcome: described.outcome,
      ...(described.httpStatus !== undefined ? { httpStatus: described.httpStatus } : {}),
      ...(described.error !== undefined ? { error: described.error } : {}),
    },
    ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
  };
}
