/**
 * What each chat provider declares, checked against the providers' documentation
 * independently of the code under test: signatures, size limits of digests (every event
 * kept, in order), reply classification, masking and msgUuid.
 */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { NotificationLine } from '../../shared/domain/dingtalk';
import { planMessages } from '../../shared/targets/mailbox';
import { CHAT_TARGETS } from '../../shared/targets/registry';
import type { ChatMethod } from '../../shared/targets/target';
import type { MailItem } from '../../shared/services/chatbotPorts';

const line = (i: number, extra: Partial<NotificationLine> = {}): NotificationLine => ({
  eventId: `evt-${String(i).padStart(4, '0')}-${'x'.repeat(40)}`,
  eventType: 'cr:Artifact:ScanCompleted',
  status: 'FAILED',
  instanceId: 'cri-abc',
  regionId: 'cn-hangzhou',
  namespace: 'team-a',
  repoName: 'api',
  tag: `v1.${i}.0`,
  time: new Date(Date.parse('2026-11-20T08:00:00Z') + i * 1000).toISOString(),
  ruleName: 'scan-alerts',
  ...extra,
});

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The provider's documented size limit, measured on the request body as sent. */
const withinLimit: Record<ChatMethod, (body: string) => boolean> = {
  dingtalk: (body) => Buffer.byteLength(body) < 20_000,
  feishu: (body) => Buffer.byteLength(body) < 20 * 1024,
  wecom: (body) => {
    const parsed: unknown = JSON.parse(body);
    return isRecord(parsed) && isRecord(parsed.markdown) && typeof parsed.markdown.content === 'string' && Buffer.byteLength(parsed.markdown.content) <= 4096;
  },
  slack: (body) => {
    const parsed: unknown = JSON.parse(body);
    return (
      isRecord(parsed) &&
      Array.isArray(parsed.blocks) &&
      parsed.blocks.length <= 50 &&
      parsed.blocks.every((b) => isRecord(b) && isRecord(b.text) && typeof b.text.text === 'string' && [...b.text.text].length <= 3000)
    );
  },
};

describe.each(Object.values(CHAT_TARGETS).map((t) => [t.method, t] as const))('%s target', (method, target) => {
  it('digests keep every event once, in the order given, each message within the documented size limit', () => {
    const lines = Array.from({ length: 1500 }, (_, i) => line(i));
    const messages = target.renderDigests(lines);
    expect(messages.length).toBeGreaterThan(1);
    const seen: number[] = [];
    for (const m of messages) {
      const { body } = target.request('https://example.test/hook', m, { nowMs: Date.now(), msgUuid: 'dg_1' });
      expect(withinLimit[method](body)).toBe(true);
      seen.push(...[...m.text.matchAll(/evt-(\d{4})-/g)].map((x) => Number(x[1])));
    }
    expect(seen).toEqual(lines.map((_, i) => i));
  });

  it('a huge template still fits and keeps the event id', () => {
    const message = target.renderNotification(line(1), `${'{{tag}} long text '.repeat(230)}{{eventId}}`);
    const { body } = target.request('https://example.test/hook', message, { nowMs: Date.now(), msgUuid: 'd_1' });
    expect(withinLimit[method](body)).toBe(true);
    expect(message.text).toContain('evt-0001-');
  });

  it('masks the credential part of its webhook URL to its last 4 characters', () => {
    const urls: Record<ChatMethod, string> = {
      dingtalk: 'https://oapi.dingtalk.com/robot/send?access_token=abcdef123456',
      feishu: 'https://open.feishu.cn/open-apis/bot/v2/hook/abcdef123456',
      wecom: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abcdef123456',
      slack: 'https://hooks.slack.com/services/T000/B000/abcdef123456',
    };
    const masked = target.mask(urls[method]);
    expect(masked).toContain('****3456');
    expect(masked).not.toContain('abcdef');
  });

  it('never shows the credential, whatever trails or wraps the URL', () => {
    const variants: Record<ChatMethod, string[]> = {
      dingtalk: ['https://oapi.dingtalk.com/robot/send?access_token=abcdef123456&x=/y', 'https://oapi.dingtalk.com/robot/send?x=/y&access_token=abcdef123456#/z'],
      feishu: [
        'https://open.feishu.cn/open-apis/bot/v2/hook/abcdef123456/',
        'https://open.feishu.cn/open-apis/bot/v2/hook/abcdef123456?x=/y',
        'https://open.feishu.cn/open-apis/bot/v2/hook/abcdef123456#/z',
      ],
      wecom: ['https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abcdef123456&x=/y', 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?x=/y&key=abcdef123456#/z'],
      slack: [
        'https://hooks.slack.com/services/T000/B000/abcdef123456/',
        'https://hooks.slack.com/services/T000/B000/abcdef123456?x=/y',
        'https://hooks.slack.com/services/T000/B000/abcdef123456#/z',
        'https://user:abcdef123456@hooks.slack.com/services/T000/B000/zzzz9999',
      ],
    };
    for (const url of variants[method]) expect(target.mask(url), url).not.toContain('abcdef');
  });
});

describe('provider specifics', () => {
  it('Feishu signs in the body: timestamp in seconds and base64 HMAC-SHA256 keyed by "{timestamp}\\n{secret}" over nothing', () => {
    const now = Date.parse('2026-11-20T08:00:00Z');
    const { body } = CHAT_TARGETS.feishu.request('https://open.feishu.cn/open-apis/bot/v2/hook/x', { title: 't', text: 'a\nb' }, { secret: 'sekrit', nowMs: now, msgUuid: 'u' });
    const parsed = JSON.parse(body) as { timestamp: string; sign: string; msg_type: string };
    expect(parsed.timestamp).toBe(String(now / 1000));
    expect(parsed.sign).toBe(createHmac('sha256', `${now / 1000}\nsekrit`).update(Buffer.alloc(0)).digest('base64'));
    expect(parsed.msg_type).toBe('post');
  });

  it('DingTalk sends carry msgUuid', () => {
    const { body } = CHAT_TARGETS.dingtalk.request('https://oapi.dingtalk.com/robot/send?access_token=t', { title: 't', text: 'x' }, { nowMs: 0, msgUuid: 'dg_0123' });
    expect(JSON.parse(body)).toMatchObject({ msgtype: 'markdown', msgUuid: 'dg_0123' });
  });

  it.each([
    ['feishu', 200, '{"code":0,"msg":"success"}', {}, 'delivered'],
    ['feishu', 200, '{"code":11232,"msg":"frequency limited"}', {}, 'throttled'],
    ['feishu', 200, '{"code":9499,"msg":"too many request, frequency limited"}', {}, 'throttled'],
    ['feishu', 200, '{"code":19021,"msg":"sign match fail"}', {}, 'failed'],
    ['feishu', 200, '{"code":19024,"msg":"Key Words Not Found"}', {}, 'failed'],
    ['feishu', 400, '{"code":9499,"msg":"Bad Request"}', {}, 'failed'],
    ['feishu', 503, 'busy', {}, 'retry'],
    ['wecom', 200, '{"errcode":0,"errmsg":"ok"}', {}, 'delivered'],
    ['wecom', 200, '{"errcode":45009,"errmsg":"api freq out of limit"}', {}, 'throttled'],
    ['wecom', 200, '{"errcode":93000,"errmsg":"invalid webhook url"}', {}, 'failed'],
    ['wecom', 200, '{"errcode":40058,"errmsg":"markdown.content exceed max length 4096"}', {}, 'failed'],
    ['wecom', 200, '{"errcode":-1,"errmsg":"system busy"}', {}, 'retry'],
    ['wecom', 502, '', {}, 'retry'],
    ['slack', 200, 'ok', {}, 'delivered'],
    ['slack', 429, 'rate_limited', { 'retry-after': '7' }, 'throttled'],
    ['slack', 404, 'channel_not_found', {}, 'failed'],
    ['slack', 403, 'action_prohibited', {}, 'failed'],
    ['slack', 500, 'rollup_error', {}, 'retry'],
  ] as const)('%s answers %s %s → %s', (method, status, body, headers, outcome) => {
    expect(CHAT_TARGETS[method].classify({ status, body, headers }).outcome).toBe(outcome);
  });

  it("Slack's Retry-After is the pause", () => {
    expect(CHAT_TARGETS.slack.classify({ status: 429, body: 'rate_limited', headers: { 'retry-after': '7' } }).pauseMs).toBe(7_000);
  });

  it('a mailbox is planned in event order, whatever order it was parked in', () => {
    const mail: MailItem[] = [6, 5, 7, 8, 1, 3, 2, 4].map((i, n) => ({
      deliveryId: `d${i}`,
      eventId: line(i).eventId,
      ruleId: 'r',
      instanceId: 'cri-abc',
      enqueuedAt: 1000 + n,
      line: line(i),
      sealedWebhookUrl: 'sealed',
    }));
    const [chunk] = planMessages(CHAT_TARGETS.dingtalk, mail);
    const order = [...(chunk?.message.text ?? '').matchAll(/evt-(\d{4})-/g)].map((x) => Number(x[1]));
    expect(order).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });
});
