/**
 * Slack incoming webhooks (SPEC §12): Block Kit sections of mrkdwn (≤ 3000 chars each,
 * ≤ 50 blocks) with a `text` fallback; the URL is the secret; 1 message per second;
 * HTTP 429 with Retry-After when throttled; plain-text error replies otherwise.
 */
import type { NotificationLine } from '../domain/dingtalk';
import { parseRetryAfter } from '../domain/retry';
import { digestLine, fitNotification, notificationLines, notificationTitle, packDigests, renderedTemplate } from './digest';
import { clip, maskLastPathSegment } from './target';
import type { ChatMessage, ChatReply, ChatTarget, ReplyVerdict } from './target';

export const SLACK_SECTION_MAX_CHARS = 3000;
export const SLACK_MAX_BLOCKS = 50;
const TEXT_FALLBACK_MAX = 3000;

/** Slack mrkdwn: only &, < and > are control characters (links, mentions, entities). */
export function escapeSlack(value: string): string {
  return value.replace(/[\r\n]+/g, ' ').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Lines packed into sections of at most 3000 characters; undefined when one line alone is longer. */
function sections(text: string): string[] | undefined {
  const out: string[] = [];
  let current = '';
  for (const line of text.split('\n')) {
    if ([...line].length > SLACK_SECTION_MAX_CHARS) return undefined;
    const next = current === '' ? line : `${current}\n${line}`;
    if ([...next].length > SLACK_SECTION_MAX_CHARS) {
      out.push(current);
      current = line;
    } else current = next;
  }
  if (current !== '') out.push(current);
  return out;
}

function blocksOf(message: ChatMessage) {
  const parts = sections(message.text) ?? [];
  return [
    { type: 'header', text: { type: 'plain_text', text: [...message.title].slice(0, 150).join('') } },
    ...parts.map((text) => ({ type: 'section', text: { type: 'mrkdwn', text } })),
  ];
}

const fits = (m: ChatMessage) => {
  const parts = sections(m.text);
  return parts !== undefined && parts.length + 1 <= SLACK_MAX_BLOCKS;
};

export function classifySlackReply(reply: ChatReply, nowMs: number): ReplyVerdict {
  const text = reply.body.trim();
  const provider = text !== '' ? { providerMessage: clip(text) } : {};
  if (reply.status >= 200 && reply.status < 300) return { outcome: 'delivered', ...provider };
  if (reply.status === 429) {
    const seconds = parseRetryAfter(reply.headers['retry-after'], nowMs);
    return { outcome: 'throttled', ...provider, ...(seconds !== undefined ? { pauseMs: seconds * 1000 } : {}) };
  }
  if (reply.status >= 500 || reply.status === 408) return { outcome: 'retry', ...provider };
  // 400 invalid_payload, 403 action_prohibited, 404 no_service / channel_not_found, 410 channel_is_archived.
  return { outcome: 'failed', ...provider };
}

export const slack: ChatTarget = {
  method: 'slack',
  defaults: { prefixes: ['https://hooks.slack.com/services/'], windows: [{ limit: 1, windowMs: 1_000 }], throttleSeconds: 30 },
  label: 'Slack',
  acceptsSecret: false,
  botKeyName: 'webhook path',
  botKey(url, prefix) {
    const rest = `${url.protocol}//${url.host}${url.pathname}`.slice(prefix.length);
    return /^[A-Za-z0-9._~/-]+$/.test(rest) && rest.replace(/\//g, '') !== '' ? rest : undefined;
  },
  mask: maskLastPathSegment,
  renderNotification(line: NotificationLine, template?: string) {
    const e = escapeSlack;
    const text = renderedTemplate(line, template, e) ?? notificationLines(line, e).map((l) => `• ${l}`).join('\n');
    return fitNotification({ title: notificationTitle(line), text }, `Event ID: ${e(line.eventId)}`, fits);
  },
  renderDigests: (lines) => packDigests(lines, (l) => `• ${digestLine(l, escapeSlack)}`, (title, texts) => ({ title, text: texts.join('\n') }), fits),
  request(webhookUrl, message) {
    const fallback = [...`${message.title}\n${message.text}`].slice(0, TEXT_FALLBACK_MAX).join('');
    return { url: webhookUrl, body: JSON.stringify({ text: fallback, blocks: blocksOf(message) }) };
  },
  classify: (reply) => classifySlackReply(reply, Date.now()),
};
