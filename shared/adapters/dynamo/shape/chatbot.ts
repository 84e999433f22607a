/**
 * A chatbot's partition (`BOT#id`): its limiter state item and its mailbox. The state is
 * a sliding log of send slots (slotId → epoch ms the slot stops counting), a pause, a
 * flush lease and the scheduled flush, every change a compare-and-set on `ver`.
 */
import * as z from 'zod/mini';
import { CHAT_METHODS } from '../../../domain/chatMethods';
import type { MailItem } from '../../../services/chatbotPorts';
import { eventIdentityShape } from './common';
import { decode } from './decode';
import { keys } from './keys';

/** Every attribute is absent until the first write that sets it. */
const botStateSchema = z.object({
  slots: z.optional(z.record(z.string(), z.number())),
  pausedUntil: z.optional(z.number()),
  ver: z.optional(z.number()),
  leaseId: z.optional(z.string()),
  leaseUntil: z.optional(z.number()),
  flushDueAt: z.optional(z.number()),
});

export type BotStateItem = z.output<typeof botStateSchema>;

/** The state item as stored (no item yet: nothing set). */
export const botStateFromItem = (item: Record<string, unknown> | undefined): BotStateItem => (item ? decode(botStateSchema, 'chatbot state', item, item) : {});

const mailSchema = z.object({
  deliveryId: z.string(),
  eventId: z.string(),
  ruleId: z.string(),
  instanceId: z.string(),
  enqueuedAt: z.number(),
  line: z.object({ ...eventIdentityShape, ruleName: z.string() }),
  template: z.optional(z.string()),
  sealedWebhookUrl: z.string(),
  sealedSecret: z.optional(z.string()),
  method: z.optional(z.enum(CHAT_METHODS)),
  notBefore: z.optional(z.number()),
});

/** A mail waits in its bot's mailbox; swept by TTL after the events' retention. */
export const mailToItem = (botId: string, mail: MailItem, ttl: number) => ({ ...keys.mail(botId, mail.deliveryId), type: 'mail', ...mail, ttl });
export const mailFromItem = (item: Record<string, unknown>): MailItem => decode(mailSchema, 'mail', item, item);
