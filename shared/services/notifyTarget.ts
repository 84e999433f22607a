/**
 * Checks a rule's notification target when it is written: URL shape, DingTalk prefix
 * and access_token, scheme matching the method, no credentials or fragments, and the
 * private-range policy (which delivery re-checks at connect time).
 */
import { targetNotAllowed, validationFailed } from '../domain/errors';
import type { Notify } from '../domain/rules';

export type HostCheck = (url: URL) => Promise<{ allowed: true } | { allowed: false; reason: string }>;

function pathOrigin(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`;
}

export async function checkNotifyTarget(
  notify: Notify,
  deps: { dingtalkWebhookPrefix: string; checkHost: HostCheck },
): Promise<URL> {
  const field = notify.method === 'dingtalk' ? 'webhookUrl' : 'url';
  const raw = notify.method === 'dingtalk' ? notify.webhookUrl : notify.url;
  const fail = (message: string) => validationFailed([{ path: `notify.${field}`, message }]);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw fail('must be an absolute http(s) URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw fail('must be an http(s) URL');
  if (url.username !== '' || url.password !== '') throw fail('must not contain credentials');
  if (raw.includes('#')) throw fail('must not contain a fragment');

  if (notify.method === 'dingtalk') {
    const prefix = new URL(deps.dingtalkWebhookPrefix);
    if (pathOrigin(url) !== pathOrigin(prefix)) throw fail(`must start with ${deps.dingtalkWebhookPrefix}`);
    if ((url.searchParams.get('access_token') ?? '').trim() === '') throw fail('must carry a non-empty access_token');
  } else if (url.protocol !== `${notify.method}:`) {
    throw fail(`scheme must be ${notify.method} to match notify.method`);
  }

  const verdict = await deps.checkHost(url);
  if (!verdict.allowed) throw targetNotAllowed(url.hostname, verdict.reason);
  return url;
}
