/**
 * The receivers `npm start` runs on loopback so every README example delivers somewhere
 * visible: a look-alike of each chat provider (its limits, signature check and error
 * codes) and an HTTP catch-all. Each logs one line per message and lists what it
 * received at GET / on its origin.
 */
import type { Config } from '../../shared/config';
import { startCatchAll } from './catchAll';
import type { CatchAll } from './catchAll';
import type { ChatLookalike, Received } from './chat';
import { startDingTalkServer } from './dingtalk';
import type { DingTalkServer } from './dingtalk';
import { startFeishuLookalike } from './feishu';
import { startSlackLookalike } from './slack';
import { startWeComLookalike } from './wecom';

export interface Lookalikes {
  dingtalk: DingTalkServer;
  feishu: ChatLookalike;
  wecom: ChatLookalike;
  slack: ChatLookalike;
  catchAll: CatchAll;
  /** The prefix settings pointing at them. */
  prefixes: Record<'DINGTALK_WEBHOOK_PREFIX' | 'FEISHU_WEBHOOK_PREFIXES' | 'WECOM_WEBHOOK_PREFIX' | 'SLACK_WEBHOOK_PREFIX', string>;
  close(): Promise<void>;
}

/** Bots whose signatures the look-alikes verify (the README's signed examples use them). */
export const SIGNED_BOT = 'signed-bot';
export const LOCAL_SECRETS = { dingtalk: 'SEClocal0123456789abcdef', feishu: 'local-feishu-secret' } as const;

const oneLine = (text: string) => (text.length > 160 ? `${text.slice(0, 159)}…` : text).replace(/\s+/g, ' ');

/** `basePort` 0: any free ports; else basePort … basePort+4 in the order dingtalk, feishu, wecom, slack, catch-all. */
export async function startLookalikes(config: Config, basePort: number, log: (line: string) => void): Promise<Lookalikes> {
  const port = (i: number) => (basePort === 0 ? 0 : basePort + i);
  const show = (name: string) => (m: Pick<Received, 'title' | 'text'>) => log(`${name} look-alike received: ${oneLine(`${m.title} | ${m.text}`)}`);
  const dingtalk = await startDingTalkServer({
    limit: config.dingtalkRateLimit,
    windowMs: config.dingtalkRateWindowSeconds * 1000,
    throttleMs: config.dingtalkThrottleSeconds * 1000,
    port: port(0),
    onMessage: show('dingtalk'),
  });
  const feishu = await startFeishuLookalike({ windows: config.chat.feishu.windows, throttleMs: config.chat.feishu.throttleSeconds * 1000, port: port(1), onMessage: show('feishu') });
  const wecom = await startWeComLookalike({ windows: config.chat.wecom.windows, throttleMs: config.chat.wecom.throttleSeconds * 1000, port: port(2), onMessage: show('wecom') });
  const slack = await startSlackLookalike({ windows: config.chat.slack.windows, throttleMs: 1_000, port: port(3), onMessage: show('slack') });
  dingtalk.setSecret(SIGNED_BOT, LOCAL_SECRETS.dingtalk);
  feishu.setSecret(SIGNED_BOT, LOCAL_SECRETS.feishu);
  const catchAll = await startCatchAll({ port: port(4), onRequest: (r) => log(`http catch-all received: POST ${r.path} ${oneLine(r.body)}`) });
  return {
    dingtalk,
    feishu,
    wecom,
    slack,
    catchAll,
    prefixes: {
      DINGTALK_WEBHOOK_PREFIX: dingtalk.prefix,
      FEISHU_WEBHOOK_PREFIXES: feishu.prefix,
      WECOM_WEBHOOK_PREFIX: wecom.prefix,
      SLACK_WEBHOOK_PREFIX: slack.prefix,
    },
    close: async () => {
      for (const server of [dingtalk, feishu, wecom, slack, catchAll]) await server.close().catch(() => undefined);
    },
  };
}
