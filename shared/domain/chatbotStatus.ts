/**
 * A chatbot's status (SPEC §13) from its limiter state, taken as data: each rate window
 * with the times its recorded sends stop counting, the pause, the scheduled flush and the
 * waiting mail. DingTalk has one window; a provider with several passes several.
 */

export interface BotWindowData {
  limit: number;
  windowSeconds: number;
  /** Epoch ms at which each recorded send stops counting against this window. */
  slotsUntil: readonly number[];
}

export interface BotStateData {
  windows: readonly BotWindowData[];
  pausedUntil?: number | undefined;
  flushDueAt?: number | undefined;
  waiting: number;
}

export interface BotStatus {
  windows: { limit: number; windowSeconds: number; used: number }[];
  pausedUntil?: string;
  waiting: number;
  nextFlushAt?: string;
}

export function chatbotStatusOf(state: BotStateData, nowMs: number): BotStatus {
  return {
    windows: state.windows.map((w) => ({ limit: w.limit, windowSeconds: w.windowSeconds, used: Math.min(w.limit, w.slotsUntil.filter((until) => until > nowMs).length) })),
    ...(state.pausedUntil !== undefined && state.pausedUntil > nowMs ? { pausedUntil: new Date(state.pausedUntil).toISOString() } : {}),
    waiting: state.waiting,
    ...(state.flushDueAt !== undefined && state.flushDueAt > nowMs && state.waiting > 0 ? { nextFlushAt: new Date(state.flushDueAt).toISOString() } : {}),
  };
}
