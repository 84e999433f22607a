/**
 * What a notification target declares (ARCHITECTURE "Seams worth having"). A chat
 * provider is a self-contained unit registered by name in ./registry.ts: its request
 * schema fields, how its target is checked, masked and keyed (bot identity: what shares
 * a limit), its rate windows, how it renders one notification and a digest in its markup
 * (escaping and size limit included), how it signs a request and how it classifies a
 * reply. The generic mailbox engine (./mailbox.ts) does the rest for every chat provider.
 */
import type { NotificationLine } from '../domain/dingtalk';

import type { ChatMethod } from '../domain/chatMethods';

export { CHAT_METHODS, isChatMethod } from '../domain/chatMethods';
export type { ChatMethod, NotifyMethod } from '../domain/chatMethods';

/** At most `limit` sends in any sliding `windowMs` (measured at the receiver). */
export interface RateWindow {
  limit: number;
  windowMs: number;
}

/** A rendered chat message: `text` is already in the provider's markup, values escaped. */
export interface ChatMessage {
  title: string;
  text: string;
}

export interface ChatReply {
  status: number;
  body: string;
  headers: Record<string, string | undefined>;
}

export interface ReplyVerdict {
  outcome: 'delivered' | 'retry' | 'throttled' | 'failed';
  providerCode?: number;
  providerMessage?: string;
  /** How long the provider asked us to pause (Slack's Retry-After); else the configured pause. */
  pauseMs?: number;
}

/** Per-provider limits as configured (windows, throttle pause, allowed URL prefixes). */
export interface ChatLimits {
  windows: RateWindow[];
  throttleMs: number;
}

/** What a provider documents; the configuration may override each (SPEC §3, §12). */
export interface ChatDefaults {
  prefixes: string[];
  windows: RateWindow[];
  throttleSeconds: number;
}

export interface ChatTarget {
  method: ChatMethod;
  defaults: ChatDefaults;
  /** For messages: "DingTalk", "Feishu/Lark", ... */
  label: string;
  /** Whether `notify.secret` is accepted (a signing secret). */
  acceptsSecret: boolean;
  /** The query parameter or path part that names the bot, for error messages. */
  botKeyName: string;
  /**
   * The bot's key in a webhook URL already known to start with an allowed prefix;
   * undefined when it is missing. Every rule whose URL has the same key shares the limits.
   */
  botKey(url: URL, prefix: string): string | undefined;
  /** The webhook URL as read back: its secret part shows only the last 4 characters. */
  mask(webhookUrl: string): string;
  /** `test`: a rule test's sample, visibly marked as such where the provider's renderer supports it. */
  renderNotification(line: NotificationLine, template?: string, opts?: { test?: boolean }): ChatMessage;
  /** Digest messages for many lines, in the order given, each under the provider's size limit. */
  renderDigests(lines: NotificationLine[]): ChatMessage[];
  /** The request to send: the webhook URL (signed, when signing lives there) and the JSON body. */
  request(webhookUrl: string, message: ChatMessage, ctx: { secret?: string | undefined; nowMs: number; msgUuid: string }): { url: string; body: string };
  classify(reply: ChatReply): ReplyVerdict;
}

/** The bot identity as stored: a hash, so table dumps never show a token. */
export const PROVIDER_MESSAGE_MAX = 200;
export const clip = (s: string, max = PROVIDER_MESSAGE_MAX) => [...s].slice(0, max).join('');

/** Reads a JSON object reply; undefined for anything else (a proxy page, a truncated body). */
export function jsonReply(body: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(body);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export function intField(value: unknown): number | undefined {
  const n = typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
  return typeof n === 'number' && Number.isInteger(n) ? n : undefined;
}

/** Masks everything after `keep` characters of a path tail to its last 4 characters. */
export function maskTail(secretPart: string): string {
  return `****${secretPart.slice(-4)}`;
}

/**
 * A webhook whose secret is its last path segment (Slack's path, Feishu's hook id), masked
 * for reading: origin and the path before it, the segment's last 4 characters, and nothing
 * after it — a trailing slash, a query or a fragment must not carry the secret out.
 */
export function maskLastPathSegment(webhookUrl: string): string {
  let url: URL;
  try {
    url = new URL(webhookUrl);
  } catch {
    return maskTail(webhookUrl);
  }
  const segments = url.pathname.split('/');
  let last = segments.length - 1;
  while (last > 0 && segments[last] === '') last -= 1;
  return `${url.protocol}//${url.host}${segments.slice(0, last).join('/')}/${maskTail(segments[last] ?? '')}`;
}
