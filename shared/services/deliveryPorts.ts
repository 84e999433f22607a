/** What the delivery worker needs from storage, the queue and the network. */
import type { StoredDelivery, StoredEvent, DeliveryState } from './eventStore';
import { isChatMethod } from '../targets/target';
import type { ChatMethod } from '../targets/target';

export interface Attempt {
  n: number;
  at: string;
  durationMs: number;
  outcome: 'delivered' | 'retry' | 'throttled' | 'failed';
  httpStatus?: number;
  providerCode?: number;
  providerMessage?: string;
  error?: string;
  digestId?: string;
}

/** A delivery as read back: its plan, overlaid with the state and attempts its transitions wrote. */
export interface DeliveryRecord extends Omit<StoredDelivery, 'attempts'> {
  attempts: Attempt[];
  attemptCount: number;
  /** attemptCount when the delivery was last redelivered: the attempt budget starts there. */
  attemptBase?: number;
  nextAttemptAt?: string;
  deliveredAt?: string;
  deadReason?: string;
  /** How often the reconciler re-drove it since the worker last acted on it (see QueueMessage.redrive). */
  requeues?: number;
}

export interface Transition {
  state: DeliveryState;
  attempt?: Attempt;
  nextAttemptAt?: string;
  deliveredAt?: string;
  deadReason?: string;
}

/** Which delivery (of which instance), and until when its record must be kept. */
export type DeliveryRef = Pick<DeliveryRecord, 'eventId' | 'ruleId' | 'expiresAt' | 'instanceId'>;

/**
 * What finds a delivery and its event: event ids are unique per instance. Without an
 * instance (a message queued before ids were per instance) the event is the one of the
 * id whose plan holds the rule (rule ids belong to one instance) — a Query instead of a
 * key read, so every message sent now carries its instance.
 */
export interface LoadRef {
  eventId: string;
  ruleId: string;
  instanceId?: string | undefined;
}

/** A delivery and its event as read together. */
export interface LoadedDelivery {
  delivery?: DeliveryRecord;
  event?: StoredEvent;
}

export const loadKeyOf = (eventId: string, ruleId: string) => `${eventId}\n${ruleId}`;

export interface DeliveryRepository {
  get(eventId: string, ruleId: string, instanceId?: string): Promise<DeliveryRecord | undefined>;
  /** The delivery and its event, read together (strongly consistent: ingest wrote them moments ago). */
  load(eventId: string, ruleId: string, instanceId?: string): Promise<LoadedDelivery>;
  /** Many at once (a queue batch): one read for all, keyed by loadKeyOf. */
  loadMany(refs: LoadRef[]): Promise<Map<string, LoadedDelivery>>;
  /**
   * Applies a transition only while the delivery is still open (pending, retrying,
   * throttled), so a delivery ends delivered/failed/dead exactly once in its trace.
   * Returns false when it was already closed.
   */
  transition(delivery: DeliveryRef, change: Transition): Promise<boolean>;
}

/** A queue message as it travels (older messages lack `kind`, `instanceId` or `method`). */
export interface QueueMessage {
  kind?: 'delivery' | 'flush';
  /** On flush messages: the bot's provider (absent: DingTalk, the only one before). */
  method?: ChatMethod;
  eventId?: string;
  /** The event's instance (ids are per instance); absent on messages queued before that. */
  instanceId?: string;
  ruleId?: string;
  deliveryId?: string;
  botId?: string;
  /** Epoch ms before which the message must not be acted on (chained delays > 900 s). */
  notBefore?: number;
  /**
   * On retry messages: the attempt count they continue from. A `retrying` delivery is
   * only attempted by the message of its own retry chain, so duplicates cannot fork it.
   */
  expect?: number;
  /**
   * On the reconciler's re-drives: the delivery's re-drive count it was claimed with.
   * Once re-driven, a delivery is attempted only by its latest re-drive (until the worker
   * acts on it, which resets the count), so a late original message and its re-drive do
   * not both send.
   */
  redrive?: number;
}

export interface DelayedQueue {
  sendDelayed(message: QueueMessage, delaySeconds: number): Promise<void>;
}

export const OPEN_STATES: readonly DeliveryState[] = ['pending', 'retrying', 'throttled'];

/** A queue message once parsed: the worker switches on this union and nothing else. */
export type WorkItem =
  | { kind: 'wait'; message: QueueMessage; notBefore: number }
  | { kind: 'flush'; botId: string; method: ChatMethod }
  | {
      kind: 'delivery';
      eventId: string;
      ruleId: string;
      instanceId?: string | undefined;
      deliveryId?: string | undefined;
      expect?: number | undefined;
      redrive?: number | undefined;
    };

const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** Parses a queue message once, at the edge; throws on one no worker could act on. */
export function parseWorkItem(message: QueueMessage, nowMs: number): WorkItem {
  const notBefore = num(message.notBefore);
  if (notBefore !== undefined && notBefore > nowMs) return { kind: 'wait', message, notBefore };
  if (message.kind === 'flush') {
    const botId = str(message.botId);
    if (!botId) throw new Error('flush message without botId');
    const method = message.method === undefined ? 'dingtalk' : message.method;
    if (!isChatMethod(method)) throw new Error('flush message for an unknown provider');
    return { kind: 'flush', botId, method };
  }
  const eventId = str(message.eventId);
  const ruleId = str(message.ruleId);
  if (!eventId || !ruleId) throw new Error('delivery message without eventId/ruleId');
  return {
    kind: 'delivery',
    eventId,
    ruleId,
    instanceId: str(message.instanceId),
    deliveryId: str(message.deliveryId),
    expect: num(message.expect),
    redrive: num(message.redrive),
  };
}
