/**
 * WeCom group robots (SPEC §12): `markdown` with content ≤ 4096 bytes, the bot named by
 * the URL's `key`, 20 messages per minute, errcode 45009 when throttled.
 */
import { Buffer } from 'node:buffer';
import type { NotificationLine } from '../domain/dingtalk';
import { digestLine, fitNotification, notificationLines, notificationTitle, packDigests, renderedTemplate } from './digest';
import { clip, intField, jsonReply, maskTail } from './target';
import type { ChatMessage, ChatTarget, ReplyVerdict } from './target';

export const WECOM_MAX_CONTENT_BYTES = 4096;

/** WeCom markdown: inline markers, links, quotes, headings and `<font>`/`<@user>` tags neutralised. */
export function escapeWeComMarkdown(value: string): string {
  return value
    .replace(/[\r\n]+/g, ' ')
    .replace(/[\\`*_[\]()<>#]/g, (c) => `\\${c}`)
    .replace(/^[>+-]/, (m) => `\\${m}`);
}

const content = (m: ChatMessage) => `## ${escapeWeComMarkdown(m.title)}\n${m.text}`;
const fits = (m: ChatMessage) => Buffer.byteLength(content(m)) <= WECOM_MAX_CONTENT_BYTES;

export function classifyWeComReply(status: number, body: string): ReplyVerdict {
  const reply = jsonReply(body);
  const code = intField(reply?.errcode);
  const msg = reply?.errmsg;
  const provider = { ...(code !== undefined ? { providerCode: code } : {}), ...(typeof msg === 'string' ? { providerMessage: clip(msg) } : {}) };
  if (status >= 500 || status === 408 || status === 429) return { outcome: 'retry', ...provider };
  if (status !== 200) return { outcome: 'failed', ...provider };
  if (code === undefined || code === -1) return { outcome: 'retry', ...provider };
  if (code === 0) return { outcome: 'delivered', ...provider };
  if (code === 45009) return { outcome: 'throttled', ...provider };
  // 93000 invalid webhook URL (bad key), 40058 content too long, 40008 bad message type…
  return { outcome: 'failed', ...provider };
}

export const wecom: ChatTarget = {
  method: 'wecom',
  defaults: { prefixes: ['https://qyapi.weixin.qq.com/cgi-bin/webhook/send'], windows: [{ limit: 20, windowMs: 60_000 }], throttleSeconds: 60 },
  label: 'WeCom',
  acceptsSecret: false,
  botKeyName: 'key',
  botKey(url) {
    const key = url.searchParams.get('key') ?? '';
    return key.trim() === '' ? undefined : key;
  },
  mask(webhookUrl) {
    try {
      const url = new URL(webhookUrl);
      url.searchParams.set('key', maskTail(url.searchParams.get('key') ?? ''));
      return url.toString().replace('%2A%2A%2A%2A', '****');
    } catch {
      return '****';
    }
  },
  renderNotification(line: NotificationLine, template?: string) {
    const e = escapeWeComMarkdown;
    const text = renderedTemplate(line, template, e) ?? notificationLines(line, e).map((l) => `> ${l}`).join('\n');
    return fitNotification({ title: notificationTitle(line), text }, `> Event ID: ${e(line.eventId)}`, fits);
  },
  renderDigests: (lines) => packDigests(lines, (l) => `- ${digestLine(l, escapeWeComMarkdown, 400)}`, (title, texts) => ({ title, text: texts.join('\n') }), fits),
  request(webhookUrl, message) {
    return { url: webhookUrl, body: JSON.stringify({ msgtype: 'markdown', markdown: { content: content(message) } }) };
  },
  classify: (reply) => classifyWeComReply(reply.status, reply.body),
};
