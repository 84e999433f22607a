/**
 * GET /v1/instances/{instanceId}/chatbots (SPEC §13): every chatbot the instance's rules
 * point at, masked, with its windows' use, pause, waiting mail and next flush. A provider
 * describes its bot's windows as data (`windowsOf`); DingTalk's is one sliding window.
 */
import { chatbotStatusOf } from '../domain/chatbotStatus';
import type { BotStatus, BotWindowData } from '../domain/chatbotStatus';
import type { ChatMethod } from '../domain/chatMethods';
import type { RuleStore } from './ruleStore';
import { isChatNotify } from './ruleStore';

export interface ChatbotStateReader {
  read(botId: string): Promise<{ slotsUntil: number[]; pausedUntil?: number; flushDueAt?: number; waiting: number }>;
}

export interface ChatbotStatusDeps {
  rules: Pick<RuleStore, 'list'>;
  bots: ChatbotStateReader;
  /** The rate windows of a bot of this notify method (their slots filled in from its state). */
  windowsOf: (method: ChatMethod) => Omit<BotWindowData, 'slotsUntil'>[];
  now?: () => number;
}

export type ChatbotView = { method: string; bot: string; ruleIds: string[] } & BotStatus;

export async function listChatbots(deps: ChatbotStatusDeps, instanceId: string): Promise<{ chatbots: ChatbotView[] }> {
  const rules = await deps.rules.list(instanceId);
  const bots = new Map<string, { method: ChatMethod; bot: string; ruleIds: string[] }>();
  for (const rule of rules) {
    if (!isChatNotify(rule.notify)) continue;
    const seen = bots.get(rule.notify.botId) ?? { method: rule.notify.method, bot: rule.notify.webhookUrlMasked, ruleIds: [] };
    seen.ruleIds.push(rule.ruleId);
    bots.set(rule.notify.botId, seen);
  }
  const nowMs = (deps.now ?? Date.now)();
  const chatbots = await Promise.all(
    [...bots.entries()].map(async ([botId, bot]) => {
      const state = await deps.bots.read(botId);
      // The bot's slots expire with its longest window; a shorter window counts those taken within its own span.
      const declared = deps.windowsOf(bot.method);
      const longest = Math.max(...declared.map((w) => w.windowSeconds));
      const windows = declared.map((w) => ({ ...w, slotsUntil: state.slotsUntil.map((until) => until - (longest - w.windowSeconds) * 1000) }));
      return { ...bot, ruleIds: bot.ruleIds.sort(), ...chatbotStatusOf({ ...state, windows }, nowMs) };
    }),
  );
  return { chatbots: chatbots.sort((a, b) => a.bot.localeCompare(b.bot) || (a.ruleIds[0] ?? '').localeCompare(b.ruleIds[0] ?? '')) };
}
