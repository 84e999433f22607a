/**
 * SQS standard-queue semantics, independent of HTTP; in memory, or kept across restarts
 * in a data folder (journal.ts). Time comes from an
 * injectable clock so visibility, delays, retention and redrive are testable without
 * sleeping; only long-poll waits use real timers.
 *
 * Receipt handles: every receive issues a new handle. Deleting with the latest handle
 * deletes (even after the visibility timeout lapsed, as long as nobody re-received it).
 * A stale handle (the message was received again since) is accepted and ignored — AWS
 * documents that such a delete "succeeds, but the message might not be deleted", and
 * ignoring it deterministically exposes consumers that rely on stale handles. Changing
 * visibility with a stale handle fails with ReceiptHandleIsInvalid ("expired").
 */
import { SqsError, invalidParameter, invalidValue, queueDoesNotExist } from './errors';
import { LongPollWaiters } from './longPoll';
import { createMessage, issueReceipt, messageIdOfReceipt, sendResultOf, toReceived } from './message';
import type { ReceivedMessage, SendInput, SendResult, StoredMessage } from './message';
import { DEFAULT_ATTRIBUTES, isReadableAttribute, normalizeAttribute } from './queueAttributes';
import { QueueJournal } from './journal';
import type { JournalEntry } from './journal';
import type { RedrivePolicy } from './queueAttributes';

export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

export interface QueueStoreOptions {
  clock?: Clock;
  region?: string;
  accountId?: string;
  /** How often long-poll waiters re-check for messages whose delay/visibility lapsed. */
  pollIntervalMs?: number;
  /** Keep queues and messages across restarts in this folder (see journal.ts); in memory without. */
  dataDir?: string;
}

export type { ReceivedMessage, SendInput, SendResult } from './message';

export interface ReceiveOptions {
  maxMessages?: number;
  visibilityTimeout?: number;
}

interface Queue {
  name: string;
  attributes: Record<string, string>;
  createdAt: number;
  modifiedAt: number;
  messages: Map<string, StoredMessage>;
}

const QUEUE_NAME = /^[A-Za-z0-9_-]{1,80}$/;

const intAttr = (q: Queue, name: string): number => Number(q.attributes[name] ?? DEFAULT_ATTRIBUTES[name] ?? 0);

export class QueueStore {
  readonly region: string;
  readonly accountId: string;
  private readonly clock: Clock;
  private readonly queues = new Map<string, Queue>();
  private readonly waiters: LongPollWaiters<ReceivedMessage>;
  private readonly journal: QueueJournal | undefined;

  constructor(opts: QueueStoreOptions = {}) {
    this.clock = opts.clock ?? systemClock;
    this.region = opts.region ?? 'us-east-1';
    this.accountId = opts.accountId ?? '000000000000';
    this.waiters = new LongPollWaiters(opts.pollIntervalMs ?? 50);
    if (opts.dataDir !== undefined) {
      this.journal = new QueueJournal(opts.dataDir);
      for (const [name, q] of this.journal.replay()) this.queues.set(name, q);
      this.journal.compact(this.queues.values());
    }
  }

  /** Records a change before it is answered (no-op without a data folder). */
  private record(entry: JournalEntry): void {
    if (!this.journal) return;
    this.journal.append(entry);
    let live = 0;
    for (const q of this.queues.values()) live += 1 + q.messages.size;
    if (this.journal.needsCompaction(live)) this.journal.compact(this.queues.values());
  }

  private recordQueue(q: Queue): void {
    this.record({ op: 'queue', queue: { name: q.name, attributes: q.attributes, createdAt: q.createdAt, modifiedAt: q.modifiedAt } });
  }

  private recordMessage(q: Queue, m: StoredMessage): void {
    this.record({ op: 'put', queue: q.name, message: m });
  }

  queueArn(name: string): string {
    return `arn:aws:sqs:${this.region}:${this.accountId}:${name}`;
  }

  /** Idempotent; a differing value for a given attribute is QueueNameExists, as on AWS. */
  createQueue(name: string, attributes: Record<string, unknown> = {}): { created: boolean } {
    if (name.endsWith('.fifo')) {
      throw new SqsError('UnsupportedOperation', 'FIFO queues are not supported by the local SQS emulator.');
    }
    if (!QUEUE_NAME.test(name)) {
      throw invalidParameter('Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length');
    }
    const normalized = this.normalizeAll(attributes);
    const existing = this.queues.get(name);
    if (existing) {
      for (const [key, value] of Object.entries(normalized)) {
        if ((existing.attributes[key] ?? '') !== value) {
          throw new SqsError('QueueNameExists', `A queue already exists with the same name and a different value for attribute ${key}`);
        }
      }
      return { created: false };
    }
    const now = this.clock.now();
    const merged = Object.fromEntries(
      Object.entries({ ...DEFAULT_ATTRIBUTES, ...normalized }).filter(([, value]) => value !== ''),
    );
    const created: Queue = { name, attributes: merged, createdAt: now, modifiedAt: now, messages: new Map() };
    this.queues.set(name, created);
    this.recordQueue(created);
    return { created: true };
  }

  hasQueue(name: string): boolean {
    return this.queues.has(name);
  }

  listQueues(prefix = ''): string[] {
    return [...this.queues.keys()].filter((n) => n.startsWith(prefix)).sort();
  }

  deleteQueue(name: string): void {
    this.queue(name);
    this.queues.delete(name);
    this.record({ op: 'dropQueue', name });
    this.waiters.notify(name);
  }

  purgeQueue(name: string): void {
    this.queue(name).messages.clear();
    this.record({ op: 'purge', name });
  }

  getQueueAttributes(name: string, names: readonly string[]): Record<string, string> {
    const q = this.queue(name);
    for (const n of names) {
      if (!isReadableAttribute(n)) throw new SqsError('InvalidAttributeName', `Unknown Attribute ${n}.`);
    }
    const all = names.includes('All');
    const counts = this.counts(q);
    const computed: Record<string, string> = {
      QueueArn: this.queueArn(name),
      ApproximateNumberOfMessages: String(counts.visible),
      ApproximateNumberOfMessagesNotVisible: String(counts.notVisible),
      ApproximateNumberOfMessagesDelayed: String(counts.delayed),
      CreatedTimestamp: String(Math.floor(q.createdAt / 1000)),
      LastModifiedTimestamp: String(Math.floor(q.modifiedAt / 1000)),
    };
    const out: Record<string, string> = {};
    for (const [key, value] of Object.entries({ ...q.attributes, ...computed })) {
      if (all || names.includes(key)) out[key] = value;
    }
    return out;
  }

  setQueueAttributes(name: string, attributes: Record<string, unknown>): void {
    const q = this.queue(name);
    // '' clears an optional attribute such as RedrivePolicy.
    const merged = Object.entries({ ...q.attributes, ...this.normalizeAll(attributes) });
    q.attributes = Object.fromEntries(merged.filter(([, value]) => value !== ''));
    q.modifiedAt = this.clock.now();
    this.recordQueue(q);
    // A shorter wait time or cleared delay may make messages receivable right away.
    this.waiters.notify(name);
  }

  sendMessage(name: string, input: SendInput): SendResult {
    const q = this.queue(name);
    const limits = { defaultDelaySeconds: intAttr(q, 'DelaySeconds'), maximumMessageSize: intAttr(q, 'MaximumMessageSize') };
    const message = createMessage(input, limits, this.clock.now());
    q.messages.set(message.id, message);
    this.recordMessage(q, message);
    this.waiters.notify(name);
    return sendResultOf(message);
  }

  /** Non-blocking receive. Messages past maxReceiveCount move to the DLQ instead. */
  receiveMessages(name: string, opts: ReceiveOptions = {}): ReceivedMessage[] {
    const q = this.queue(name);
    const max = opts.maxMessages ?? 1;
    if (!Number.isInteger(max) || max < 1 || max > 10) {
      throw invalidValue('MaxNumberOfMessages', max, 'Must be between 1 and 10, if provided.');
    }
    const visibility = opts.visibilityTimeout ?? intAttr(q, 'VisibilityTimeout');
    if (!Number.isInteger(visibility) || visibility < 0 || visibility > 43_200) {
      throw invalidValue('VisibilityTimeout', visibility, 'Must be between 0 and 43200, if provided.');
    }
    const now = this.clock.now();
    this.expire(q, now);
    const redrive = this.redrivePolicy(q);
    const out: ReceivedMessage[] = [];
    for (const m of q.messages.values()) {
      if (out.length >= max) break;
      if (m.visibleAt > now) continue;
      if (redrive && m.receiveCount >= redrive.policy.maxReceiveCount) {
        this.moveToDeadLetter(q, redrive.dlq, m, now);
        continue;
      }
      m.receiveCount += 1;
      m.firstReceivedAt ??= now;
      m.visibleAt = now + visibility * 1000;
      issueReceipt(q.name, m);
      this.recordMessage(q, m);
      out.push(toReceived(m, this.accountId));
    }
    return out;
  }

  /**
   * Long poll: returns as soon as at least one message is receivable, or [] once the
   * wait (request value, else the queue's ReceiveMessageWaitTimeSeconds) elapses.
   */
  async receiveMessagesWait(
    name: string,
    opts: ReceiveOptions & { waitTimeSeconds?: number } = {},
    signal?: AbortSignal,
  ): Promise<ReceivedMessage[]> {
    const wait = opts.waitTimeSeconds ?? intAttr(this.queue(name), 'ReceiveMessageWaitTimeSeconds');
    if (!Number.isInteger(wait) || wait < 0 || wait > 20) {
      throw invalidValue('WaitTimeSeconds', wait, 'Must be >= 0 and <= 20, if provided.');
    }
    const first = this.receiveMessages(name, opts);
    if (first.length > 0 || wait === 0) return first;
    return this.waiters.wait(name, wait * 1000, () => (this.queues.has(name) ? this.receiveMessages(name, opts) : null), signal);
  }

  deleteMessage(name: string, receiptHandle: string): void {
    const q = this.queue(name);
    const id = messageIdOfReceipt(q.name, receiptHandle);
    const m = q.messages.get(id);
    if (m && m.receipt === receiptHandle) {
      q.messages.delete(id);
      this.record({ op: 'del', queue: q.name, id });
    }
  }

  changeMessageVisibility(name: string, receiptHandle: string, timeoutSeconds: number): void {
    const q = this.queue(name);
    if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 0 || timeoutSeconds > 43_200) {
      throw invalidValue('VisibilityTimeout', timeoutSeconds, 'Must be between 0 and 43200.');
    }
    const m = q.messages.get(messageIdOfReceipt(q.name, receiptHandle));
    if (!m || m.receipt !== receiptHandle) {
      throw new SqsError('ReceiptHandleIsInvalid', `The receipt handle has expired: "${receiptHandle}"`);
    }
    const now = this.clock.now();
    if (m.visibleAt <= now) throw new SqsError('MessageNotInflight', 'The message referred to is not in flight.');
    m.visibleAt = now + timeoutSeconds * 1000;
    this.recordMessage(q, m);
    if (timeoutSeconds === 0) this.waiters.notify(name);
  }

  /** Ends every pending long poll with no messages (used when the server shuts down). */
  close(): void {
    this.waiters.close();
  }

  private queue(name: string): Queue {
    const q = this.queues.get(name);
    if (!q) throw queueDoesNotExist();
    return q;
  }

  private normalizeAll(attributes: Record<string, unknown>): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [key, value] of Object.entries(attributes)) {
      const normalized = normalizeAttribute(key, value, (arn) => this.queueByArn(arn) !== undefined);
      if (key !== 'FifoQueue') out[key] = normalized;
    }
    return out;
  }

  private queueByArn(arn: string): Queue | undefined {
    const name = arn.split(':').at(-1) ?? '';
    return this.queueArn(name) === arn ? this.queues.get(name) : undefined;
  }

  private redrivePolicy(q: Queue): { policy: RedrivePolicy; dlq: Queue } | undefined {
    const raw = q.attributes.RedrivePolicy;
    if (!raw) return undefined;
    const policy = JSON.parse(raw) as RedrivePolicy;
    const dlq = this.queueByArn(policy.deadLetterTargetArn);
    // A deleted DLQ (or one pointing at itself) leaves messages where they are, like AWS.
    return dlq && dlq !== q ? { policy, dlq } : undefined;
  }

  private moveToDeadLetter(source: Queue, dlq: Queue, m: StoredMessage, now: number): void {
    source.messages.delete(m.id);
    // Standard queues keep the original enqueue time, so retention counts from the first send.
    const moved: StoredMessage = { ...m, visibleAt: now, receiveCount: 0, deadLetterSourceArn: this.queueArn(source.name) };
    delete moved.firstReceivedAt;
    delete moved.receipt;
    dlq.messages.set(m.id, moved);
    // Into the DLQ first: a kill between the two lines leaves a copy, never a loss.
    this.recordMessage(dlq, moved);
    this.record({ op: 'del', queue: source.name, id: m.id });
    this.waiters.notify(dlq.name);
  }

  private expire(q: Queue, now: number): void {
    const retentionMs = intAttr(q, 'MessageRetentionPeriod') * 1000;
    for (const [id, m] of q.messages) {
      if (m.sentAt + retentionMs <= now) {
        q.messages.delete(id);
        this.record({ op: 'del', queue: q.name, id });
      }
    }
  }

  private counts(q: Queue): { visible: number; notVisible: number; delayed: number } {
    const now = this.clock.now();
    this.expire(q, now);
    const counts = { visible: 0, notVisible: 0, delayed: 0 };
    for (const m of q.messages.values()) {
      if (m.visibleAt <= now) counts.visible += 1;
      else if (m.receiveCount > 0) counts.notVisible += 1;
      else counts.delayed += 1;
    }
    return counts;
  }
}
