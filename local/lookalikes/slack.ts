/**
 * A Slack incoming-webhook look-alike: `text` and/or Block Kit `blocks` (at most 50;
 * section text at most 3000 characters), 1 message per second per webhook, HTTP 429
 * with Retry-After when exceeded, plain-text errors (`invalid_blocks`, `no_text`, `no_service`).
 */
import { isObject, parseJson, startChatLookalike } from './chat';
import type { Answer, ChatLookalike, Window } from './chat';

const PREFIX = '/services/';
const plain = (status: number, body: string, headers?: Record<string, string>): Answer => ({ status, body, ...(headers ? { headers } : {}) });

export function startSlackLookalike(opts: { windows?: Window[]; throttleMs?: number; port?: number; onMessage?: Parameters<typeof startChatLookalike>[1]['onMessage'] } = {}): Promise<ChatLookalike> {
  return startChatLookalike(
    {
      name: 'slack',
      displayName: 'Slack',
      pathPrefix: PREFIX,
      botOf: (url) => {
        const rest = url.pathname.slice(PREFIX.length);
        return /^[A-Za-z0-9]+\/[A-Za-z0-9]+\/[A-Za-z0-9]+$/.test(rest) ? rest : undefined;
      },
      webhookPath: (bot) => `${PREFIX}${bot}`,
      check(raw) {
        const body = parseJson(raw);
        if (!isObject(body)) return plain(400, 'invalid_payload');
        const blocks = body.blocks === undefined ? [] : body.blocks;
        if (!Array.isArray(blocks) || blocks.length > 50) return plain(400, 'invalid_blocks');
        let title = '';
        const sections: string[] = [];
        for (const block of blocks) {
          if (!isObject(block) || !isObject(block.text) || typeof block.text.text !== 'string') return plain(400, 'invalid_blocks');
          if (block.type === 'header') {
            if ([...block.text.text].length > 150) return plain(400, 'invalid_blocks');
            title = block.text.text;
          } else if (block.type === 'section') {
            if ([...block.text.text].length > 3000) return plain(400, 'invalid_blocks');
            sections.push(block.text.text);
          } else return plain(400, 'invalid_blocks');
        }
        if (typeof body.text !== 'string' && sections.length === 0) return plain(400, 'no_text');
        return { title, text: sections.length > 0 ? sections.join('\n') : String(body.text), signed: false, body };
      },
      ok: () => plain(200, 'ok'),
      throttled: (windowMs) => plain(429, 'rate_limited', { 'retry-after': String(Math.max(1, Math.ceil(windowMs / 1000))) }),
      unknownBot: () => plain(404, 'no_service'),
    },
    {
      windows: opts.windows ?? [{ limit: 1, windowMs: 1_000 }],
      throttleMs: opts.throttleMs ?? 1_000,
      ...(opts.port !== undefined ? { port: opts.port } : {}),
      ...(opts.onMessage ? { onMessage: opts.onMessage } : {}),
    },
  );
}
