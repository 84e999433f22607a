/** Delivery settings derived from the configuration, in milliseconds where it matters. */
import type { RetryPolicy } from '../domain/retry';
import type { ShorterWindow } from './chatbotPorts';
import { CHAT_TARGETS } from '../targets/registry';
import type { ChatMethod, RateWindow } from '../targets/target';

/** One chat provider's limits: its windows (the longest is the main one) and throttle pause. */
export interface ChatLimitsMs {
  windows: RateWindow[];
  throttleMs: number;
}

export interface DeliverySettings {
  retry: RetryPolicy;
  timeoutMs: number;
  userAgent: string;
  dingtalk: {
    limit: number;
    windowMs: number;
    throttleMs: number;
    /** Extra time a slot keeps counting after its send ends: absorbs clock and network jitter. */
    marginMs: number;
  };
  /** The other chat providers (DingTalk's are above); absent ones use their documented defaults. */
  chat?: Partial<Record<Exclude<ChatMethod, 'dingtalk'>, ChatLimitsMs>>;
}

/** The limits the mailbox engine applies to a provider's bots. */
export function chatLimitsOf(settings: DeliverySettings, method: ChatMethod): ChatLimitsMs & { marginMs: number } {
  if (method === 'dingtalk') {
    const d = settings.dingtalk;
    return { windows: [{ limit: d.limit, windowMs: d.windowMs }], throttleMs: d.throttleMs, marginMs: d.marginMs };
  }
  const configured = settings.chat?.[method];
  const defaults = CHAT_TARGETS[method].defaults;
  const limits = configured ?? { windows: defaults.windows, throttleMs: defaults.throttleSeconds * 1000 };
  const longest = Math.max(...limits.windows.map((w) => w.windowMs));
  return { ...limits, marginMs: chatMarginMs(longest) };
}

export function safetyMarginMs(windowMs: number): number {
  return Math.min(2_000, Math.max(250, Math.round(windowMs * 0.01)));
}

/**
 * The margin for the newer providers: 1 % of the longest window, 50 ms to 2 s. Slot times
 * are taken after each reply, so the margin only absorbs clock skew between workers; the
 * 250 ms floor DingTalk keeps would cost Slack's 1-per-second bot a fifth of its sends.
 */
export function chatMarginMs(windowMs: number): number {
  return Math.min(2_000, Math.max(50, Math.round(windowMs * 0.01)));
}

/** A bot's longest window, and its shorter ones as offsets from it (the limiter's shape, see ShorterWindow). */
export function chatWindowPlan(settings: DeliverySettings, method: ChatMethod) {
  const limits = chatLimitsOf(settings, method);
  const sorted = [...limits.windows].sort((a, b) => b.windowMs - a.windowMs);
  const main = sorted[0] ?? { limit: 1, windowMs: 1_000 };
  const shorter: ShorterWindow[] = sorted.slice(1).map((w) => ({ limit: w.limit, offsetMs: main.windowMs - w.windowMs }));
  return { limits, main, shorter };
}
