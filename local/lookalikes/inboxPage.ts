/**
 * The page a look-alike shows at `GET /` to a browser: each bot's messages as a chat
 * group would show them — the text with the small Markdown subset the service sends
 * (headings, bold, list items, quotes, links shown as text), the title where the app
 * shows it (the notification line) — newest last.
 * Every received value is escaped before any markup is added, and links are never made
 * clickable: what a registry sent stays text here, as it must in the console.
 */

export interface InboxMessage {
  at: string;
  title: string;
  text: string;
}

export interface Inbox {
  provider: string;
  bots: { bot: string; messages: InboxMessage[] }[];
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

/** Inline Markdown on already-escaped text: **bold**, `code`, [label](url) as "label (url)". */
function inline(escaped: string): string {
  return escaped
    .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>')
    .replace(/`([^`]+)`/g, '<code>$1</code>')
    .replace(/\[([^\]]*)\]\(([^)\s]*)\)/g, '<span class="link">$1</span> <span class="url">($2)</span>');
}

/** One message's text as HTML: one block per line, list items grouped. */
export function markdownToHtml(text: string): string {
  const out: string[] = [];
  let list = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = escapeHtml(raw.trimEnd());
    const item = /^\s*[-*] (.*)$/.exec(line);
    if (item && !list) out.push('<ul>');
    if (!item && list) out.push('</ul>');
    list = item !== null;
    if (item) {
      out.push(`<li>${inline(item[1] ?? '')}</li>`);
      continue;
    }
    const heading = /^(#{1,6}) (.*)$/.exec(line);
    const quote = /^&gt; ?(.*)$/.exec(line);
    if (heading) out.push(`<p class="h">${inline(heading[2] ?? '')}</p>`);
    else if (quote) out.push(`<blockquote>${inline(quote[1] ?? '')}</blockquote>`);
    else if (line.trim() !== '') out.push(`<p>${inline(line)}</p>`);
  }
  if (list) out.push('</ul>');
  return out.join('');
}

const STYLE = `
body{font:15px/1.45 system-ui,sans-serif;margin:0;background:#eef1f5;color:#1f2329}
header{background:#fff;padding:12px 20px;border-bottom:1px solid #dde1e6}
h1{font-size:17px;margin:0}
header p{margin:4px 0 0;color:#5c6470;font-size:13px}
section{max-width:760px;margin:16px auto;padding:0 16px}
h2{font-size:14px;color:#5c6470;font-weight:600;margin:18px 0 8px}
article{display:flex;gap:10px;margin:10px 0}
.avatar{flex:none;width:34px;height:34px;border-radius:8px;background:#3370ff;color:#fff;display:grid;place-items:center;font-weight:700}
.bubble{background:#fff;border-radius:10px;padding:10px 14px;box-shadow:0 1px 2px #0001;min-width:0;overflow-wrap:anywhere}
.meta{font-size:12px;color:#5c6470;margin-bottom:4px}
.bubble p{margin:2px 0}.bubble .h{font-weight:700;font-size:16px;margin:2px 0 6px}
.bubble ul{margin:4px 0;padding-left:20px}.bubble blockquote{margin:4px 0;padding-left:8px;border-left:3px solid #dde1e6;color:#5c6470}
code{background:#f2f3f5;padding:0 4px;border-radius:4px}.link{color:#245bdb}.url{color:#5c6470;font-size:12px}
.empty{color:#5c6470}
`;

export function renderInboxPage(inbox: Inbox): string {
  const name = escapeHtml(inbox.provider);
  const bots = inbox.bots.filter((b) => b.messages.length > 0);
  const sections = bots.map(
    (b) =>
      `<section aria-label="${escapeHtml(`bot ${b.bot}`)}"><h2>Bot ${escapeHtml(b.bot)} · ${b.messages.length} message${b.messages.length === 1 ? '' : 's'}</h2>${b.messages
        .map(
          (m) =>
            `<article><div class="avatar" aria-hidden="true">R</div><div class="bubble"><div class="meta">Registry events bot · <time datetime="${escapeHtml(m.at)}">${escapeHtml(m.at.slice(11, 19))}</time> · notification: “${escapeHtml(m.title)}”</div>${markdownToHtml(m.text)}</div></article>`,
        )
        .join('')}</section>`,
  );
  return [
    '<!doctype html><html lang="en"><head><meta charset="utf-8">',
    `<meta name="viewport" content="width=device-width, initial-scale=1"><title>${name} look-alike</title><style>${STYLE}</style></head><body>`,
    `<header><h1>${name} look-alike: what each group received</h1><p>The local stack's stand-in for ${name}; reload to see new messages. The same list as JSON: <code>curl</code> this URL.</p></header>`,
    '<main>',
    sections.length > 0 ? sections.join('') : '<section><p class="empty">No messages yet.</p></section>',
    '</main></body></html>',
  ].join('');
}

/** Whether a `GET /` came from a browser (HTML first in its Accept header) rather than curl or a test. */
export function wantsHtml(accept: string | undefined): boolean {
  return accept !== undefined && /\btext\/html\b/.test(accept);
}
