/** SPEC §6 DingTalk messages: signing, single notifications, digests within 18 KB, reply classification. */
import { Buffer } from 'node:buffer';
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  classifyDingTalkReply,
  dingTalkBody,
  dingTalkSign,
  renderDigests,
  renderNotification,
  signDingTalkUrl,
} from '../../shared/domain/dingtalk';
import type { MarkdownMessage, NotificationLine } from '../../shared/domain/dingtalk';
import { escapeMarkdown } from '../../shared/domain/template';

const LIMIT = 18_000;

function line(overrides: Partial<NotificationLine> = {}): NotificationLine {
  return {
    eventId: '9f1c0d2e-5b6a-4c3d-8e7f-001122334455',
    eventType: 'cr:Artifact:ScanCompleted',
    status: 'FAILED',
    instanceId: 'cri-abc123',
    regionId: 'cn-hangzhou',
    namespace: 'team-a',
    repoName: 'api',
    tag: 'v1.2.0',
    time: '2026-11-20T08:00:00Z',
    ruleName: 'scan-alerts',
    ...overrides,
  };
}

const bytes = (m: MarkdownMessage) => Buffer.byteLength(dingTalkBody(m), 'utf8');
/** Digest lines keyed by their trailing "ID: …" (escaped), parsed back out of every part. */
function digestIds(parts: MarkdownMessage[]): string[] {
  return parts.flatMap((p) =>
    p.text
      .split('\n')
      .filter((l) => l.startsWith('- '))
      .map((l) => l.slice(l.lastIndexOf(' · ID: ') + ' · ID: '.length)),
  );
}

describe('signing', () => {
  const secret = 'SEC0123456789abcdef';
  const ms = 1_763_625_600_000;
  const expected = createHmac('sha256', secret).update(`${ms}\n${secret}`).digest('base64');

  it('matches an independently computed HMAC-SHA256 over "{ms}\\n{secret}"', () => {
    expect(dingTalkSign(secret, ms)).toBe(expected);
  });

  it('appends timestamp and url-encoded sign, keeping access_token', () => {
    const signed = new URL(signDingTalkUrl('https://oapi.dingtalk.com/robot/send?access_token=abc', secret, ms));
    expect(signed.origin + signed.pathname).toBe('https://oapi.dingtalk.com/robot/send');
    expect(signed.searchParams.get('access_token')).toBe('abc');
    expect(signed.searchParams.get('timestamp')).toBe(String(ms));
    expect(signed.searchParams.get('sign')).toBe(expected);
    expect(signed.search).toContain(`sign=${encodeURIComponent(expected)}`);
  });

  it('replaces a stale signature already in the URL', () => {
    const signed = new URL(signDingTalkUrl('https://x/robot/send?access_token=abc&timestamp=1&sign=old', secret, ms));
    expect(signed.searchParams.getAll('timestamp')).toEqual([String(ms)]);
    expect(signed.searchParams.getAll('sign')).toEqual([expected]);
  });

  it('leaves the URL alone without a secret', () => {
    const url = 'https://oapi.dingtalk.com/robot/send?access_token=abc';
    expect(signDingTalkUrl(url, undefined, ms)).toBe(url);
    expect(signDingTalkUrl(url, '', ms)).toBe(url);
  });
});

describe('renderNotification', () => {
  it('default message names type, status, image, instance, region, time and event id', () => {
    const m = renderNotification(line());
    expect(m.title).toBe('ScanCompleted FAILED');
    for (const part of ['cr:Artifact:ScanCompleted', 'FAILED', 'team-a/api:v1.2.0', 'cri-abc123', 'cn-hangzhou', '2026-11-20T08:00:00Z', '9f1c0d2e-5b6a-4c3d-8e7f-001122334455']) {
      expect(m.text).toContain(part);
    }
    expect(bytes(m)).toBeLessThan(LIMIT);
  });

  it('escapes hostile values in the default message', () => {
    const m = renderNotification(line({ tag: 'v1\n### [click](http://evil) @all', repoName: '**x**' }));
    expect(m.text).not.toContain('[click](http://evil)');
    expect(m.text).not.toContain('\n### [');
    expect(m.text).toContain(escapeMarkdown('v1\n### [click](http://evil) @all'));
  });

  it('renders the rule template with escaped values', () => {
    const m = renderNotification(line({ tag: 'v1_[x](y)' }), '### {{eventType}} {{status}}\n{{namespace}}/{{repoName}}:{{tag}} ({{eventId}})');
    expect(m.text).toBe('### cr:Artifact:ScanCompleted FAILED\nteam-a/api:v1\\_\\[x\\]\\(y\\) (9f1c0d2e-5b6a-4c3d-8e7f-001122334455)');
    expect(m.title).toBe('ScanCompleted FAILED');
  });

  it('keeps a template that explodes in size under the limit, with the event id', () => {
    const m = renderNotification(line({ tag: 't'.repeat(256) }), '{{tag}}'.repeat(500));
    expect(bytes(m)).toBeLessThan(LIMIT);
    expect(m.text).toContain('…');
    expect(m.text).toContain(line().eventId);
  });
});

describe('renderDigests', () => {
  const many = (n: number) => Array.from({ length: n }, (_, i) => line({ eventId: `evt-${String(i).padStart(6, '0')}`, tag: `v${i}.0.${i % 7}` }));

  it.each([1, 50, 2000])('%i lines: every id exactly once, parts labelled and under 18 000 bytes', (n) => {
    const input = many(n);
    const parts = renderDigests(input);
    const ids = digestIds(parts);
    expect(ids.sort()).toEqual(input.map((l) => l.eventId).sort());
    for (const [i, p] of parts.entries()) {
      expect(bytes(p)).toBeLessThan(LIMIT);
      expect(p.text.startsWith(`### ${n} registry event`)).toBe(true);
      if (parts.length > 1) {
        expect(p.title).toBe(`${n} registry events (part ${i + 1}/${parts.length})`);
        expect(p.text).toContain(`(part ${i + 1}/${parts.length})`);
      } else {
        expect(p.title).not.toContain('part');
      }
    }
    if (n === 2000) expect(parts.length).toBeGreaterThan(1);
  });

  it('a line has the id, type, status, image and time', () => {
    const [m] = renderDigests([line()]);
    expect(m?.text).toBe('### 1 registry event\n\n- **ScanCompleted** FAILED · team-a/api:v1.2.0 · 2026-11-20T08:00:00Z · rule scan-alerts · ID: 9f1c0d2e-5b6a-4c3d-8e7f-001122334455');
  });

  it('truncates a single oversized line with an ellipsis but keeps its id', () => {
    const parts = renderDigests([line({ tag: '界'.repeat(30_000), eventId: 'big-one' }), line({ eventId: 'small' })]);
    expect(digestIds(parts).sort()).toEqual(['big-one', 'small']);
    for (const p of parts) expect(bytes(p)).toBeLessThan(LIMIT);
    expect(parts.map((p) => p.text).join('\n')).toContain('…');
  });

  it('packs right up to the budget but never reaches it (every budget 1500–1900)', () => {
    const input = many(60);
    for (let maxBytes = 1_500; maxBytes <= 1_900; maxBytes++) {
      const parts = renderDigests(input, maxBytes);
      expect(digestIds(parts)).toHaveLength(60);
      const sizes = parts.map(bytes);
      expect(Math.max(...sizes)).toBeLessThan(maxBytes);
      // Greedy packing: every full part could not have taken the next line.
      expect(sizes.slice(0, -1).every((size) => size > maxBytes - 120)).toBe(true);
    }
  });

  it('a body exactly maxBytes long is split; one byte less fits', () => {
    const input = many(10);
    const [whole] = renderDigests(input);
    const size = bytes(whole ?? { title: '', text: '' });
    expect(renderDigests(input, size + 1)).toEqual([whole]);
    expect(renderDigests(input, size).length).toBe(2);
  });

  it('returns nothing for no lines', () => {
    expect(renderDigests([])).toEqual([]);
  });

  const hostile = fc.constantFrom('*', '_', '[', ']', '(', ')', '`', '#', '\\', '|', '@', '<', '"', '\n', '界', '😀', 'é', 'a', '-', '.', ' ');
  const text = (max: number) =>
    fc
      .array(fc.oneof(hostile, fc.string({ unit: 'grapheme', maxLength: 3 }), fc.string({ unit: 'binary', maxLength: 2 })), { maxLength: max, size: 'medium' })
      .map((a) => a.join(''));
  const arbLine = fc.record({
    eventId: fc.integer({ min: 0, max: 40 }).map((n) => `e${n}_[${n}]`),
    eventType: fc.constantFrom('cr:Artifact:ScanCompleted', 'cr:Artifact:BuildCompleted', 'cr:Artifact:SigningCompleted'),
    status: fc.constantFrom('SUCCESS', 'FAILED', 'CANCELED'),
    instanceId: fc.constant('cri-abc123'),
    regionId: fc.constant('cn-hangzhou'),
    namespace: text(20),
    repoName: text(20),
    tag: text(200),
    time: fc.constant('2026-11-20T08:00:00Z'),
    ruleName: fc.constantFrom('scan-alerts', 'r_1', '*bold*', '规则'),
  });

  /** Checks one digest run; returns the number of parts so the property can report coverage. */
  function checkDigest(lines: NotificationLine[], maxBytes: number): number {
    const parts = renderDigests(lines, maxBytes);
    const newest = new Map<string, NotificationLine>();
    for (const l of lines) newest.set(JSON.stringify([l.eventId, l.ruleName]), l);
    const rendered = parts.flatMap((p) => p.text.split('\n').filter((t) => t.startsWith('- ')));
    expect(rendered).toHaveLength(newest.size);
    for (const l of newest.values()) {
      const suffix = ` · rule ${escapeMarkdown(l.ruleName)} · ID: ${escapeMarkdown(l.eventId)}`;
      const hits = rendered.filter((t) => t.endsWith(suffix));
      expect(hits).toHaveLength(1);
      const image = `${escapeMarkdown(l.namespace)}/${escapeMarkdown(l.repoName)}:${escapeMarkdown(l.tag)}`;
      const full = `- **${l.eventType.split(':')[2] ?? ''}** ${l.status} · ${image} · ${l.time}${suffix}`;
      // Either the whole line (with the newest status), or — only when too big — a cut of it + "…" + its id.
      const hit = hits[0] ?? '';
      const cut = hit.slice(0, hit.length - suffix.length - 1);
      expect(hit === full || (hit.endsWith(`…${suffix}`) && full.startsWith(cut))).toBe(true);
    }
    for (const [i, p] of parts.entries()) {
      expect(Buffer.byteLength(dingTalkBody(p), 'utf8')).toBeLessThan(maxBytes);
      if (parts.length > 1) expect(p.title).toContain(`(part ${i + 1}/${parts.length})`);
    }
    return parts.length;
  }

  it('property: newest state per eventId+rule, each kept once, every part under budget', () => {
    let split = 0;
    fc.assert(
      fc.property(
        // size 'max': without it fast-check keeps arrays tiny and digests would rarely split.
        fc.array(arbLine, { maxLength: 150, size: 'max' }),
        fc.oneof(fc.integer({ min: 1_500, max: 4_000 }), fc.constant(LIMIT)),
        (lines, maxBytes) => {
          if (checkDigest(lines, maxBytes) > 1) split += 1;
        },
      ),
      { seed: 42, numRuns: 200 },
    );
    expect(split).toBeGreaterThan(50); // the generator really exercises splitting
  });
});

describe('classifyDingTalkReply', () => {
  const body = (errcode: number, errmsg = 'm') => JSON.stringify({ errcode, errmsg });
  it.each([
    [200, body(0, 'ok'), 'delivered', 0],
    [200, body(130101, 'send too fast'), 'throttled', 130101],
    [200, body(310000, 'sign not match'), 'failed', 310000],
    [200, body(300001, 'token is not exist'), 'failed', 300001],
    [200, body(40035), 'failed', 40035],
    [200, body(-1, 'system busy'), 'retry', -1],
    [200, '<html>gateway</html>', 'retry', undefined],
    [200, '{"ok":true}', 'retry', undefined],
    [500, '', 'retry', undefined],
    [503, body(-1), 'retry', -1],
    [429, '', 'retry', undefined],
    [408, '', 'retry', undefined],
    [404, 'not found', 'failed', undefined],
    [302, '', 'failed', undefined],
    [204, '', 'failed', undefined],
  ] as const)('HTTP %i %s → %s', (status, text, outcome, code) => {
    const result = classifyDingTalkReply(status, text);
    expect(result.outcome).toBe(outcome);
    expect(result.providerCode).toBe(code);
  });

  it('copies errmsg, cut to 200 characters', () => {
    expect(classifyDingTalkReply(200, body(310000, 'sign not match')).providerMessage).toBe('sign not match');
    expect(classifyDingTalkReply(200, body(310000, 'x'.repeat(500))).providerMessage).toHaveLength(200);
  });
});
