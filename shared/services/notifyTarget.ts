/**
 * Checks a rule's notification target when it is written: URL shape, a chat provider's
 * prefix allow-list and bot key, scheme matching the method, no credentials or fragments,
 * and the private-range policy (which delivery re-checks at connect time).
 */
import { targetNotAllowed, validationFailed } from '../domain/errors';
import type { Notify } from '../domain/rules';
import { isChatMethod } from '../domain/chatMethods';
import type { ChatMethod } from '../domain/chatMethods';
import { chatTarget } from '../targets/registry';

export type HostCheck = (url: URL) => Promise<{ allowed: true } | { allowed: false; reason: string }>;

export interface TargetCheckDeps {
  dingtalkWebhookPrefix: string;
  /** Allowed webhook prefixes of the other chat providers (absent: their documented defaults). */
  chatPrefixes?: Partial<Record<Exclude<ChatMethod, 'dingtalk'>, string[]>> | undefined;
  checkHost: HostCheck;
}

function pathOrigin(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`;
}

export function prefixesOf(method: ChatMethod, deps: Pick<TargetCheckDeps, 'dingtalkWebhookPrefix' | 'chatPrefixes'>): string[] {
  return method === 'dingtalk' ? [deps.dingtalkWebhookPrefix] : (deps.chatPrefixes?.[method] ?? chatTarget(method).defaults.prefixes);
}

/** The allowed prefix a chat webhook URL starts with: the same path, or below a prefix ending in `/`. */
function matchingPrefix(url: URL, prefixes: string[]): string | undefined {
  const own = pathOrigin(url);
  return prefixes.find((p) => {
    const prefix = new URL(p);
    return own === pathOrigin(prefix) || (p.endsWith('/') && `${url.protocol}//${url.host}${url.pathname}`.startsWith(`${prefix.protocol}//${prefix.host}${prefix.pathname}`));
  });
}

/** The bot key of a chat target (what shares its limits), or a validation error. */
export function chatBotKey(method: ChatMethod, url: URL, deps: Pick<TargetCheckDeps, 'dingtalkWebhookPrefix' | 'chatPrefixes'>): string {
  const fail = (message: string) => validationFailed([{ path: 'notify.webhookUrl', message }]);
  const prefixes = prefixesOf(method, deps);
  const prefix = matchingPrefix(url, prefixes);
  if (prefix === undefined) throw fail(`must start with ${prefixes.join(' or ')}`);
  const target = chatTarget(method);
  const key = target.botKey(url, prefix);
  if (key === undefined) throw fail(method === 'dingtalk' ? 'must carry a non-empty access_token' : `must carry the bot's ${target.botKeyName}`);
  return key;
}

export async function checkNotifyTarget(notify: Notify, deps: TargetCheckDeps): Promise<URL> {
  const chat = isChatMethod(notify.method);
  const field = chat ? 'webhookUrl' : 'url';
  const raw = 'webhookUrl' in notify ? notify.webhookUrl : notify.url;
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

  if (isChatMethod(notify.method)) chatBotKey(notify.method, url, deps);
  else if (url.protocol !== `${notify.method}:`) throw fail(`scheme must be ${notify.method} to match notify.method`);

  const verdict = await deps.checkHost(url);
  if (!verdict.allowed) throw targetNotAllowed(url.hostname, verdict.reason);
  return url;
}
