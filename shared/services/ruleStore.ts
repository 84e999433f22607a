/** The port the rule use cases need from storage, and the stored shape of a rule. */
import type { EventStatus, EventType } from '../domain/eventTypes';
import type { Scope } from '../domain/rules';
import { isChatMethod } from '../targets/target';
import type { ChatMethod } from '../targets/target';

/** A chat target: the whole webhook URL is sealed (it is the credential), `botId` names the bot. */
export interface ChatNotify {
  method: ChatMethod;
  webhookUrlMasked: string;
  sealedWebhookUrl: string;
  sealedSecret?: string;
  botId: string;
}

/** Secrets are sealed (envelope-encrypted); a table dump shows only the masked URL. */
export type StoredNotify = ChatNotify | { method: 'http' | 'https'; url: string; sealedSecret?: string };

export const isChatNotify = (notify: StoredNotify): notify is ChatNotify => isChatMethod(notify.method);

export interface StoredRule {
  ruleId: string;
  instanceId: string;
  ruleName: string;
  regionId: string;
  eventTypes: EventType[];
  eventStatuses?: EventStatus[];
  scope: Scope;
  tagPattern: string;
  notify: StoredNotify;
  template?: string;
  enabled: boolean;
  createdAt: string;
  updatedAt: string;
  version: number;
}

export type RuleWriteOutcome =
  | { ok: true }
  | { ok: false; failed: 'rule' | 'nameLock' | 'oldNameLock' | 'quota' | 'oldQuota' | 'ruleSet' };

export interface RuleStore {
  get(instanceId: string, ruleId: string): Promise<StoredRule | undefined>;
  list(instanceId: string): Promise<StoredRule[]>;
  ruleSetRevision(instanceId: string): Promise<number>;
  /** Rules counted against the region's quota, across every instance. */
  regionUsage(regionId: string): Promise<number>;
  create(rule: StoredRule, maxPerRegion: number): Promise<RuleWriteOutcome>;
  /** Replaces `previous` (conditional on its version) with `next`. */
  replace(previous: StoredRule, next: StoredRule, maxPerRegion: number): Promise<RuleWriteOutcome>;
  remove(rule: StoredRule): Promise<RuleWriteOutcome>;
}
