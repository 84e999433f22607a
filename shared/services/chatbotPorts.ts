/** Per-chatbot state the chat limiter needs: send slots, pause, flush lease, mailbox. */
import type { NotificationLine } from '../domain/dingtalk';
import type { ChatMethod } from '../targets/target';

/**
 * A window shorter than the main one (Feishu's 5/s beside its 100/min): a slot counts
 * in it until `offsetMs` (main window − this window) before it stops counting in the main one.
 */
export interface ShorterWindow {
  limit: number;
  offsetMs: number;
}

export type SlotGrant =
  | { ok: true; slotId: string; leaseId?: string }
  | { ok: false; retryAt: number; reason: 'rate' | 'paused' | 'busy' };

export interface MailItem {
  deliveryId: string;
  eventId: string;
  ruleId: string;
  instanceId: string;
  enqueuedAt: number;
  line: NotificationLine;
  template?: string;
  sealedWebhookUrl: string;
  sealedSecret?: string;
  /** The provider (absent on mail parked before there were several: DingTalk). */
  method?: ChatMethod;
  /** A retrying delivery waits for its backoff: not sent before this epoch ms. */
  notBefore?: number;
}

export interface ChatbotStore {
  /**
   * Takes one send slot in the bot's sliding log (conditional write, so concurrent
   * workers can never overbook it); with `leaseMs`, also takes the bot's flush lease.
   */
  acquire(botId: string, nowMs: number, opts: { limit: number; holdMs: number; leaseMs?: number; shorter?: ShorterWindow[] }): Promise<SlotGrant>;
  /** Sets when a slot stops counting (send end + window + margin), or frees it (0). */
  settle(botId: string, slotId: string, expiresAtMs: number): Promise<void>;
  release(botId: string, leaseId: string): Promise<void>;
  pause(botId: string, untilMs: number): Promise<void>;
  /** The earliest time a slot could be free (pause and full log considered). */
  nextFreeAt(botId: string, nowMs: number, limit: number, shorter?: ShorterWindow[]): Promise<number>;
  /** True when the caller should schedule the flush (none is due at or before `dueAtMs`). */
  claimFlush(botId: string, dueAtMs: number, nowMs: number): Promise<boolean>;
  putMail(botId: string, mail: MailItem): Promise<void>;
  /** Holds a mail back until `untilMs` (its backoff), index entry included. */
  deferMail(botId: string, mail: MailItem, untilMs: number): Promise<void>;
  listMail(botId: string): Promise<MailItem[]>;
  deleteMail(botId: string, deliveryIds: string[]): Promise<void>;
}
