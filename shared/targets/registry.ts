/**
 * Every chat provider, registered by name (like Outpost's destregistry). Adding one is
 * its file plus one line here; HTTP(S) targets live in ./http.ts.
 */
import { dingtalk } from './dingtalk';
import { feishu } from './feishu';
import { slack } from './slack';
import type { ChatDefaults, ChatMethod, ChatTarget, RateWindow } from './target';
import { wecom } from './wecom';

export const CHAT_TARGETS: Readonly<Record<ChatMethod, ChatTarget>> = {
  dingtalk,
  feishu,
  wecom,
  slack,
};

export const chatTarget = (method: ChatMethod): ChatTarget => CHAT_TARGETS[method];

/** A provider's limits as configured: windows in ms, the throttle pause, the allowed prefixes. */
export interface ChatSettings {
  prefixes: string[];
  windows: RateWindow[];
  throttleMs: number;
}

export function chatSettingsFrom(defaults: ChatDefaults): ChatSettings {
  return { prefixes: defaults.prefixes, windows: defaults.windows, throttleMs: defaults.throttleSeconds * 1000 };
}
