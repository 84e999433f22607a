/**
 * A WeCom group-robot look-alike: the bot is the URL's `key`, `markdown` content at most
 * 4096 bytes (errcode 40058 beyond), 20 messages per minute (errcode 45009), 93000 for
 * an unknown key.
 */
import { isObject, parseJson, startChatLookalike } from './chat';
import type { Answer, ChatLookalike, Window } from './chat';

const json = (errcode: number, errmsg: string): Answer => ({ status: 200, body: JSON.stringify({ errcode, errmsg }) });
const PATH = '/cgi-bin/webhook/send';

export function startWeComLookalike(opts: { windows?: Window[]; throttleMs?: number; port?: number; onMessage?: Parameters<typeof startChatLookalike>[1]['onMessage'] } = {}): Promise<ChatLookalike> {
  return startChatLookalike(
    {
      name: 'wecom',
      displayName: 'WeCom',
      pathPrefix: PATH,
      botOf: (url) => (url.pathname === PATH && (url.searchParams.get('key') ?? '') !== '' ? (url.searchParams.get('key') ?? undefined) : undefined),
      webhookPath: (bot) => `${PATH}?key=${encodeURIComponent(bot)}`,
      check(raw) {
        const body = parseJson(raw);
        if (!isObject(body) || body.msgtype !== 'markdown' || !isObject(body.markdown) || typeof body.markdown.content !== 'string') {
          return json(40008, 'invalid message type');
        }
        const content = body.markdown.content;
        if (Buffer.byteLength(content) > 4096) return json(40058, 'markdown.content exceed max length 4096');
        if (content.trim() === '') return json(44004, 'empty content');
        const [first = '', ...rest] = content.split('\n');
        return { title: first.replace(/^#+\s*/, ''), text: rest.join('\n'), signed: false, body };
      },
      ok: () => json(0, 'ok'),
      throttled: () => json(45009, 'api freq out of limit'),
      unknownBot: () => json(93000, 'invalid webhook url'),
    },
    {
      windows: opts.windows ?? [{ limit: 20, windowMs: 60_000 }],
      throttleMs: opts.throttleMs ?? 60_000,
      ...(opts.port !== undefined ? { port: opts.port } : {}),
      ...(opts.onMessage ? { onMessage: opts.onMessage } : {}),
    },
  );
}
