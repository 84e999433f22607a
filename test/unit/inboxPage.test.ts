import { describe, expect, it } from 'vitest';
import { markdownToHtml, renderInboxPage, wantsHtml } from '../../local/lookalikes/inboxPage';

describe('the look-alikes’ inbox page', () => {
  it('renders the Markdown subset the service sends', () => {
    const html = markdownToHtml('### 3 events\n- **team-a/api:v1** `SUCCESS`\n- [trace](http://x/y)\n> note\nplain');
    expect(html).toBe(
      '<p class="h">3 events</p><ul><li><strong>team-a/api:v1</strong> <code>SUCCESS</code></li><li><span class="link">trace</span> <span class="url">(http://x/y)</span></li></ul><blockquote>note</blockquote><p>plain</p>',
    );
  });

  it('escapes every received value before adding markup, and never makes a link clickable', () => {
    const hostile = '<img src=x onerror=alert(1)>';
    const page = renderInboxPage({
      provider: 'DingTalk',
      bots: [{ bot: '****<b>1', messages: [{ at: '2026-12-06T08:00:00.000Z', title: hostile, text: `**${hostile}**\n- [x](javascript:alert(1))\n"quoted" & 'single'` }] }],
    });
    expect(page).not.toContain('<img');
    expect(page).not.toContain('<b>1');
    expect(page).not.toMatch(/href=/);
    expect(page).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(page).toContain('<strong>&lt;img src=x onerror=alert(1)&gt;</strong>');
    expect(page).toContain('&quot;quoted&quot; &amp; &#39;single&#39;');
  });

  it('says so when nothing arrived, and is served to browsers only', () => {
    expect(renderInboxPage({ provider: 'Slack', bots: [{ bot: '****abcd', messages: [] }] })).toContain('No messages yet.');
    expect(wantsHtml('text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8')).toBe(true);
    expect(wantsHtml('*/*')).toBe(false);
    expect(wantsHtml(undefined)).toBe(false);
  });
});
