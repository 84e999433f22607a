/**
 * Feishu/Lark custom bots (SPEC §12): `post` rich text (plain `text` elements, so values
 * need no escaping and cannot become links or @mentions), the signature in the body
 * (`timestamp` in seconds and `sign` = base64 HMAC-SHA256 keyed by "{timestamp}\n{secret}"
 * over nothing), 5/s and 100/min per bot, bodies under 20 KB (we keep < 18 KB).
 */
import { Buffer } from 'node:buffer';
import { createHmac } from 'node:crypto';
import type { NotificationLine } from '../domain/dingtalk';
import { digestLine, fitNotification, notificationLines, notificationTitle, packDigests, renderedTemplate } from './digest';
import { clip, intField, jsonReply, maskLastPathSegment } from './target';
import type { ChatMessage, ChatTarget, ReplyVerdict } from './target';

export const FEISHU_MAX_BODY_BYTES = 18_000;
/** Room for the signature fields added at send time. */
const SIGNING_ROOM = 120;
const plain = (s: string) => s.replace(/[\r\n]+/g, ' ');

export function feishuSign(secret: string, timestampSeconds: number): string {
  return createHmac('sha256', `${timestampSeconds}\n${secret}`).update('').digest('base64');
}

function postBody(message: ChatMessage): Record<string, unknown> {
  const paragraphs = message.text.split('\n').map((text) => [{ tag: 'text', text }]);
  return { msg_type: 'post', content: { post: { zh_cn: { title: message.title, content: paragraphs } } } };
}

const fits = (m: ChatMessage) => Buffer.byteLength(JSON.stringify(postBody(m))) + SIGNING_ROOM < FEISHU_MAX_BODY_BYTES;

/** Feishu's throttle: 11232, or 9499 whose message speaks of frequency. */
export function classifyFeishuReply(status: number, body: string): ReplyVerdict {
  const reply = jsonReply(body);
  const code = intField(reply?.code ?? reply?.StatusCode);
  const msg = reply?.msg ?? reply?.StatusMessage;
  const provider = { ...(code !== undefined ? { providerCode: code } : {}), ...(typeof msg === 'string' ? { providerMessage: clip(msg) } : {}) };
  if (status >= 500 || status === 408) return { outcome: 'retry', ...provider };
  if (status === 429 || code === 11232 || (code === 9499 && typeof msg === 'string' && /frequen|rate|too many/i.test(msg))) return { outcome: 'throttled', ...provider };
  if (status === 200 && code === 0) return { outcome: 'delivered', ...provider };
  if (status === 200 && code === undefined) return { outcome: 'retry', ...provider };
  // 19021 signature, 19022 IP, 19024 keyword, 9499 bad request, 19001 unknown bot: the rule's configuration.
  return { outcome: 'failed', ...provider };
}

export const feishu: ChatTarget = {
  method: 'feishu',
  defaults: {
    prefixes: ['https://open.feishu.cn/open-apis/bot/v2/hook/', 'https://open.larksuite.com/open-apis/bot/v2/hook/'],
    windows: [
      { limit: 5, windowMs: 1_000 },
      { limit: 100, windowMs: 60_000 },
    ],
    throttleSeconds: 60,
  },
  label: 'Feishu/Lark',
  acceptsSecret: true,
  botKeyName: 'hook id',
  botKey(url, prefix) {
    const id = `${url.protocol}//${url.host}${url.pathname}`.slice(prefix.length);
    return /^[A-Za-z0-9._~-]+$/.test(id) ? id : undefined;
  },
  mask: maskLastPathSegment,
  renderNotification(line: NotificationLine, template?: string) {
    const text = renderedTemplate(line, template, plain) ?? notificationLines(line, plain).join('\n');
    return fitNotification({ title: notificationTitle(line), text }, `Event ID: ${line.eventId}`, fits);
  },
  renderDigests: (lines) => packDigests(lines, (l) => digestLine(l, plain), (title, texts) => ({ title, text: texts.join('\n') }), fits),
  request(webhookUrl, message, { secret, nowMs }) {
    const timestamp = Math.floor(nowMs / 1000);
    const signing = secret ? { timestamp: String(timestamp), sign: feishuSign(secret, timestamp) } : {};
    return { url: webhookUrl, body: JSON.stringify({ ...signing, ...postBody(message) }) };
  },
  classify: (reply) => classifyFeishuReply(reply.status, reply.body),
};
