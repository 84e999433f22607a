/** What rule health, the circuit breaker and resume need from storage (SPEC §13). */
import type { BreakerInput, HourSlot } from '../domain/circuitBreaker';
import type { StoredNotify } from './ruleStore';

/** What one attempt (or the end of a delivery without one) means for its rule's health. */
export interface OutcomeRecord {
  /** The attempt's result, if there was an attempt: a delivery resets the failure run, a failure extends it. */
  attempt?: 'delivered' | 'failed';
  /** The delivery closed in this state (counted in last24h). */
  closed?: 'delivered' | 'failed' | 'dead';
  /** How many deliveries closed so (one chatbot digest carries several of a rule); default 1. */
  closedCount?: number;
  at: string;
}

export interface StoredRuleHealth extends BreakerInput {
  lastDeliveredAt?: string;
  lastFailureAt?: string;
  suspendReason?: string;
  slots: HourSlot[];
}

export interface RecordResult {
  /** The breaker's inputs right after this outcome. */
  after: BreakerInput;
  /** True for the one delivery that ended a suspension's aftermath (first delivery after resume). */
  recovered: boolean;
}

export interface HeldRef {
  eventId: string;
  expiresAt: string;
}

export interface RuleHealthStore {
  /** Records an outcome with one conditional UpdateItem (two once per rule and hour); returns the health after it. */
  record(instanceId: string, ruleId: string, outcome: OutcomeRecord, nowMs: number): Promise<RecordResult>;
  get(instanceId: string, ruleId: string): Promise<StoredRuleHealth | undefined>;
  /** Every rule health item of an instance (one Query), by rule id. */
  listOf(instanceId: string): Promise<Map<string, StoredRuleHealth>>;
  /** Cheap pre-attempt check (eventually consistent GetItem of one attribute). */
  isSuspended(instanceId: string, ruleId: string, consistent?: boolean): Promise<boolean>;
  /** Marks the rule suspended unless it already is: true for the one caller that did it. */
  suspend(instanceId: string, ruleId: string, at: string, reason: string): Promise<boolean>;
  /** Ends a suspension and starts a fresh failure run: true when the rule was suspended. */
  resume(instanceId: string, ruleId: string): Promise<boolean>;
  remove(instanceId: string, ruleId: string): Promise<void>;
}

export interface HeldDeliveries {
  /** A page of the rule's held deliveries, oldest expiry first (gsi3). */
  page(ruleId: string, limit: number, start?: Record<string, unknown>): Promise<{ held: HeldRef[]; next?: Record<string, unknown> }>;
  /**
   * suspended → pending (back in the pending index), fresh attempt budget; false if it is
   * no longer held. With `notify`, the delivery goes to that target from now on instead of
   * the one captured when its event matched (same write, no extra request).
   */
  release(ref: HeldRef & { ruleId: string; instanceId: string }, nowIso: string, notify?: StoredNotify): Promise<boolean>;
  /** suspended → dead with the reason; false if it is no longer held. */
  expire(ref: HeldRef & { ruleId: string }, nowIso: string, reason: string): Promise<boolean>;
}

export interface AlertTargetStore {
  get(instanceId: string): Promise<StoredNotify | undefined>;
  put(instanceId: string, notify: StoredNotify, at: string): Promise<void>;
  remove(instanceId: string): Promise<boolean>;
}
