/** DingTalk custom robots (SPEC §6): markdown, URL signing, errcode replies. */
import { createHash } from 'node:crypto';
import { classifyDingTalkReply, dingTalkBody, renderDigests, renderNotification, signDingTalkUrl } from '../domain/dingtalk';
import { maskDingTalkUrl } from '../domain/rules';
import type { ChatTarget } from './target';

export const dingtalk: ChatTarget = {
  method: 'dingtalk',
  defaults: { prefixes: ['https://oapi.dingtalk.com/robot/send'], windows: [{ limit: 20, windowMs: 60_000 }], throttleSeconds: 600 },
  label: 'DingTalk',
  acceptsSecret: true,
  botKeyName: 'access_token',
  botKey(url) {
    const token = url.searchParams.get('access_token') ?? '';
    return token.trim() === '' ? undefined : token;
  },
  mask: maskDingTalkUrl,
  renderNotification,
  renderDigests: (lines) => renderDigests(lines),
  request(webhookUrl, message, { secret, nowMs, msgUuid }) {
    const body = JSON.parse(dingTalkBody(message)) as Record<string, unknown>;
    // msgUuid: DingTalk shows a message once per uuid, so a send retried after a timeout is not posted twice.
    return { url: signDingTalkUrl(webhookUrl, secret, nowMs), body: JSON.stringify({ ...body, msgUuid }) };
  },
  classify: (reply) => classifyDingTalkReply(reply.status, reply.body),
};

/** Kept as it always was, so existing chatbots keep their state and mailbox. */
export function dingTalkBotId(token: string): string {
  return createHash('sha256').update(token).digest('hex').slice(0, 32);
}
