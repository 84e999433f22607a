/**
 * A Feishu/Lark custom-bot look-alike: `post` bodies under 20 KB, the signature in the
 * body (timestamp in seconds within an hour; sign = base64 HMAC-SHA256 keyed by
 * "{timestamp}\n{secret}" over nothing), 5/s and 100/min per bot, code 11232 when throttled.
 */
import { createHmac } from 'node:crypto';
import { isObject, parseJson, startChatLookalike } from './chat';
import type { Answer, ChatLookalike, Window } from './chat';

const json = (code: number, msg: string, status = 200): Answer => ({ status, body: JSON.stringify({ code, data: {}, msg }) });
const MAX_BODY_BYTES = 20 * 1024;
const PREFIX = '/open-apis/bot/v2/hook/';

/** The paragraphs of a post's first locale, as the group sees them. */
function postText(body: Record<string, unknown>): { title: string; text: string } | undefined {
  if (body.msg_type !== 'post' || !isObject(body.content) || !isObject(body.content.post)) return undefined;
  const locale = Object.values(body.content.post)[0];
  if (!isObject(locale) || typeof locale.title !== 'string' || !Array.isArray(locale.content)) return undefined;
  const paragraphs: string[] = [];
  for (const paragraph of locale.content) {
    if (!Array.isArray(paragraph)) return undefined;
    const parts: string[] = [];
    for (const el of paragraph) {
      if (!isObject(el) || el.tag !== 'text' || typeof el.text !== 'string') return undefined;
      parts.push(el.text);
    }
    paragraphs.push(parts.join(''));
  }
  return { title: locale.title, text: paragraphs.join('\n') };
}

export function startFeishuLookalike(opts: { windows?: Window[]; throttleMs?: number; port?: number; onMessage?: Parameters<typeof startChatLookalike>[1]['onMessage'] } = {}): Promise<ChatLookalike> {
  return startChatLookalike(
    {
      name: 'feishu',
      displayName: 'Feishu',
      pathPrefix: PREFIX,
      botOf: (url) => {
        const id = url.pathname.slice(PREFIX.length);
        return /^[A-Za-z0-9._~-]+$/.test(id) ? id : undefined;
      },
      webhookPath: (bot) => `${PREFIX}${bot}`,
      check(raw, _bot, secret, now) {
        if (raw.length >= MAX_BODY_BYTES) return json(9499, 'Bad Request: request body exceeds 20KB', 400);
        const body = parseJson(raw);
        if (!isObject(body)) return json(9499, 'Bad Request', 400);
        if (secret !== undefined) {
          const ts = body.timestamp;
          const fresh = typeof ts === 'string' && /^\d+$/.test(ts) && Math.abs(now / 1000 - Number(ts)) <= 3600;
          const expected = typeof ts === 'string' ? createHmac('sha256', `${ts}\n${secret}`).update('').digest('base64') : '';
          if (!fresh || body.sign !== expected) return json(19021, 'sign match fail or timestamp is not within one hour from current time');
        }
        const shown = postText(body);
        if (!shown) return json(9499, 'Bad Request: msg_type post with text elements expected', 400);
        return { ...shown, signed: typeof body.sign === 'string', body };
      },
      ok: () => json(0, 'success'),
      throttled: () => json(11232, 'frequency limited psm[lark.oapi.app_platform_runtime]appID[-1]'),
      unknownBot: () => json(19001, 'param invalid: incoming webhook access token invalid'),
    },
    {
      windows: opts.windows ?? [
        { limit: 5, windowMs: 1_000 },
        { limit: 100, windowMs: 60_000 },
      ],
      throttleMs: opts.throttleMs ?? 60_000,
      ...(opts.port !== undefined ? { port: opts.port } : {}),
      ...(opts.onMessage ? { onMessage: opts.onMessage } : {}),
    },
  );
}
