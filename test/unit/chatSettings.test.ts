/** SPEC §12's settings: every chat provider's prefixes, windows and pause, validated once. */
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../shared/config';
import { deliverySettings } from '../../shared/wiring/delivery';
import { chatLimitsOf } from '../../shared/services/deliverySettings';

const local = { STACK_MODE: 'local', SECRETS_KEY: Buffer.alloc(32, 7).toString('base64') };

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig({ ...local, ...env });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('chat provider settings', () => {
  it('default to what each provider documents', () => {
    const c = loadConfig(local);
    expect(c.chat.feishu).toEqual({
      prefixes: ['https://open.feishu.cn/open-apis/bot/v2/hook/', 'https://open.larksuite.com/open-apis/bot/v2/hook/'],
      windows: [
        { limit: 5, windowMs: 1_000 },
        { limit: 100, windowMs: 60_000 },
      ],
      throttleSeconds: 60,
    });
    expect(c.chat.wecom).toEqual({ prefixes: ['https://qyapi.weixin.qq.com/cgi-bin/webhook/send'], windows: [{ limit: 20, windowMs: 60_000 }], throttleSeconds: 60 });
    expect(c.chat.slack).toEqual({ prefixes: ['https://hooks.slack.com/services/'], windows: [{ limit: 1, windowMs: 1_000 }], throttleSeconds: 30 });
  });

  it('reach the mailbox engine (DingTalk keeps its own settings)', () => {
    const settings = deliverySettings(loadConfig({ ...local, FEISHU_RATE_WINDOWS: '2/1, 9/30', WECOM_THROTTLE_SECONDS: '7', DINGTALK_RATE_LIMIT: '11' }));
    expect(chatLimitsOf(settings, 'feishu')).toMatchObject({ windows: [{ limit: 2, windowMs: 1_000 }, { limit: 9, windowMs: 30_000 }], throttleMs: 60_000 });
    expect(chatLimitsOf(settings, 'wecom')).toMatchObject({ throttleMs: 7_000 });
    expect(chatLimitsOf(settings, 'dingtalk')).toMatchObject({ windows: [{ limit: 11, windowMs: 60_000 }], throttleMs: 600_000, marginMs: 600 });
    expect(chatLimitsOf(settings, 'slack').marginMs).toBe(50);
  });

  it('refuse malformed values, naming the variable', () => {
    expect(problems({ FEISHU_RATE_WINDOWS: '5 per second' }).join()).toContain('FEISHU_RATE_WINDOWS');
    expect(problems({ SLACK_RATE_WINDOWS: '0/1' }).join()).toContain('SLACK_RATE_WINDOWS');
    expect(problems({ FEISHU_WEBHOOK_PREFIXES: 'ftp://x/,https://ok/' }).join()).toContain('FEISHU_WEBHOOK_PREFIXES');
    expect(problems({ WECOM_WEBHOOK_PREFIX: 'not a url' }).join()).toContain('WECOM_WEBHOOK_PREFIX');
    expect(problems({ FEISHU_RATE_WINDOWS: '5/1,100/60', SLACK_THROTTLE_SECONDS: '30' })).toEqual([]);
  });
});
