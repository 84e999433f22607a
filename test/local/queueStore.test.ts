import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SqsError } from '../../local/sqs/errors';
import { md5Hex, md5OfAttributes, parseMessageAttributes } from '../../local/sqs/messageAttributes';
import { QueueStore } from '../../local/sqs/queueStore';

function fakeClock(start = 1_700_000_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

function setup() {
  const clock = fakeClock();
  const store = new QueueStore({ clock });
  store.createQueue('q');
  return { clock, store };
}

const counts = (store: QueueStore, name = 'q') => {
  const a = store.getQueueAttributes(name, ['All']);
  return {
    visible: Number(a.ApproximateNumberOfMessages),
    notVisible: Number(a.ApproximateNumberOfMessagesNotVisible),
    delayed: Number(a.ApproximateNumberOfMessagesDelayed),
  };
};

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (err) {
    return err instanceof SqsError ? err.code : 'not-sqs';
  }
  return undefined;
};

describe('checksums', () => {
  // Vectors pinned by moto's SQS suite as what AWS returns.
  it('MD5OfMessageAttributes matches known AWS digests', () => {
    expect(md5Hex('derp')).toBe('58fd9edd83341c29f1aebba81c31e257');
    expect(md5OfAttributes({ timestamp: { DataType: 'Number', StringValue: '1493147359900' } })).toBe('235c5c510d26fb653d073faed50ae77c');
    expect(md5OfAttributes({ timestamp: { DataType: 'Number', StringValue: '1493147359901' } })).toBe('994258b45346a2cc3f9cbb611aa7af30');
    const attrs = parseMessageAttributes({
      ccc: { StringValue: 'testjunk', DataType: 'String' },
      aaa: { BinaryValue: Buffer.from([2, 3, 4]).toString('base64'), DataType: 'Binary' },
      zzz: { DataType: 'Number', StringValue: '0230.01' },
      'öther_encodings': { DataType: 'String', StringValue: 'Tüst' },
    });
    expect(md5OfAttributes(attrs)).toBe('8ae21a7957029ef04146b42aeaa18a22');
    expect(md5OfAttributes({})).toBeUndefined();
  });

  it('rejects malformed attributes', () => {
    expect(codeOf(() => parseMessageAttributes({ a: { DataType: 'Number', StringValue: 'abc' } }))).toBe('InvalidParameterValue');
    expect(codeOf(() => parseMessageAttributes({ a: { DataType: 'Blob', StringValue: 'x' } }))).toBe('InvalidParameterValue');
    expect(codeOf(() => parseMessageAttributes({ 'AWS.x': { DataType: 'String', StringValue: 'x' } }))).toBe('InvalidParameterValue');
    expect(codeOf(() => parseMessageAttributes({ a: { DataType: 'String' } }))).toBe('InvalidParameterValue');
  });
});

describe('QueueStore', () => {
  it('hides a received message for the visibility timeout, then redelivers it', () => {
    const { clock, store } = setup();
    store.sendMessage('q', { body: 'a' });
    const [first] = store.receiveMessages('q', { visibilityTimeout: 10 });
    expect(first?.systemAttributes.ApproximateReceiveCount).toBe('1');
    expect(store.receiveMessages('q')).toEqual([]);
    expect(counts(store)).toEqual({ visible: 0, notVisible: 1, delayed: 0 });
    clock.advance(10_000);
    const [second] = store.receiveMessages('q');
    expect(second?.messageId).toBe(first?.messageId);
    expect(second?.systemAttributes.ApproximateReceiveCount).toBe('2');
    expect(second?.systemAttributes.ApproximateFirstReceiveTimestamp).toBe(first?.systemAttributes.ApproximateFirstReceiveTimestamp);
    expect(second?.receiptHandle).not.toBe(first?.receiptHandle);
  });

  it('ignores deletes with a stale receipt handle but honours the latest one', () => {
    const { clock, store } = setup();
    store.sendMessage('q', { body: 'a' });
    const [first] = store.receiveMessages('q', { visibilityTimeout: 1 });
    clock.advance(1_000);
    const [second] = store.receiveMessages('q', { visibilityTimeout: 1 });
    store.deleteMessage('q', first?.receiptHandle ?? '');
    expect(counts(store).notVisible).toBe(1);
    expect(codeOf(() => store.changeMessageVisibility('q', first?.receiptHandle ?? '', 0))).toBe('ReceiptHandleIsInvalid');
    // The latest handle still deletes after its visibility lapsed (nobody re-received it).
    clock.advance(5_000);
    store.deleteMessage('q', second?.receiptHandle ?? '');
    expect(counts(store)).toEqual({ visible: 0, notVisible: 0, delayed: 0 });
    // Deleting again is idempotent; garbage is not.
    store.deleteMessage('q', second?.receiptHandle ?? '');
    expect(codeOf(() => store.deleteMessage('q', 'garbage'))).toBe('ReceiptHandleIsInvalid');
  });

  it('delays messages per message or by queue default', () => {
    const { clock, store } = setup();
    store.setQueueAttributes('q', { DelaySeconds: '5' });
    store.sendMessage('q', { body: 'queue-default' });
    store.sendMessage('q', { body: 'explicit', delaySeconds: 0 });
    expect(counts(store)).toEqual({ visible: 1, notVisible: 0, delayed: 1 });
    clock.advance(5_000);
    expect(counts(store).visible).toBe(2);
    expect(codeOf(() => store.sendMessage('q', { body: 'x', delaySeconds: 901 }))).toBe('InvalidParameterValue');
  });

  it('moves a message to the DLQ instead of receiving it past maxReceiveCount', () => {
    const { store } = setup();
    store.createQueue('dlq');
    store.createQueue('src', {
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: store.queueArn('dlq'), maxReceiveCount: '2' }),
    });
    store.sendMessage('src', { body: 'poison', messageAttributes: { k: { DataType: 'String', StringValue: 'v' } } });
    expect(store.receiveMessages('src', { visibilityTimeout: 0 })).toHaveLength(1);
    expect(store.receiveMessages('src', { visibilityTimeout: 0 })).toHaveLength(1);
    expect(store.receiveMessages('src', { visibilityTimeout: 0 })).toHaveLength(0);
    const [dead] = store.receiveMessages('dlq');
    expect(dead?.body).toBe('poison');
    expect(dead?.messageAttributes).toEqual({ k: { DataType: 'String', StringValue: 'v' } });
    expect(dead?.systemAttributes.ApproximateReceiveCount).toBe('1');
    expect(dead?.systemAttributes.DeadLetterQueueSourceArn).toBe(store.queueArn('src'));
    expect(JSON.parse(store.getQueueAttributes('src', ['RedrivePolicy']).RedrivePolicy ?? '')).toEqual({
      deadLetterTargetArn: store.queueArn('dlq'),
      maxReceiveCount: 2,
    });
  });

  it('validates queue attributes and keeps CreateQueue idempotent', () => {
    const { store } = setup();
    expect(store.createQueue('q')).toEqual({ created: false });
    expect(store.createQueue('q', { VisibilityTimeout: '30' })).toEqual({ created: false });
    expect(codeOf(() => store.createQueue('q', { VisibilityTimeout: '31' }))).toBe('QueueNameExists');
    expect(codeOf(() => store.setQueueAttributes('q', { Bogus: '1' }))).toBe('InvalidAttributeName');
    expect(codeOf(() => store.setQueueAttributes('q', { VisibilityTimeout: '99999' }))).toBe('InvalidAttributeValue');
    expect(codeOf(() => store.setQueueAttributes('q', { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: store.queueArn('nope'), maxReceiveCount: 1 }) }))).toBe('InvalidAttributeValue');
    expect(codeOf(() => store.createQueue('bad name'))).toBe('InvalidParameterValue');
    expect(codeOf(() => store.receiveMessages('missing'))).toBe('QueueDoesNotExist');
  });

  it('drops messages older than the retention period', () => {
    const { clock, store } = setup();
    store.setQueueAttributes('q', { MessageRetentionPeriod: '60' });
    store.sendMessage('q', { body: 'old' });
    clock.advance(60_000);
    expect(store.receiveMessages('q')).toEqual([]);
    expect(counts(store).visible).toBe(0);
  });

  it('wakes a long poll when a message arrives and ends it on close', async () => {
    const { store } = setup();
    const waiting = store.receiveMessagesWait('q', { waitTimeSeconds: 5 });
    setTimeout(() => store.sendMessage('q', { body: 'late' }), 20);
    expect((await waiting).map((m) => m.body)).toEqual(['late']);
    const pending = store.receiveMessagesWait('q', { waitTimeSeconds: 20 });
    store.close();
    expect(await pending).toEqual([]);
  });

  it('wakes a long poll when the clock makes a delayed message visible', async () => {
    const { clock, store } = setup();
    store.sendMessage('q', { body: 'later', delaySeconds: 30 });
    const waiting = store.receiveMessagesWait('q', { waitTimeSeconds: 5 });
    setTimeout(() => clock.advance(30_000), 20);
    expect((await waiting).map((m) => m.body)).toEqual(['later']);
    store.close();
  });
});

describe('QueueStore with a data folder (kept across restarts)', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
  const folder = () => {
    const dir = mkdtempSync(join(tmpdir(), 'sqs-journal-'));
    dirs.push(dir);
    return dir;
  };

  it('keeps queues, messages, delays, visibility and receive counts; deletes and purges stay done', () => {
    const clock = fakeClock();
    const dir = folder();
    const first = new QueueStore({ clock, dataDir: dir });
    first.createQueue('dlq');
    first.createQueue('q', { VisibilityTimeout: '30', RedrivePolicy: JSON.stringify({ deadLetterTargetArn: first.queueArn('dlq'), maxReceiveCount: 2 }) });
    first.createQueue('other');
    first.sendMessage('q', { body: 'in-flight' });
    first.sendMessage('q', { body: 'delayed', delaySeconds: 120 });
    first.sendMessage('q', { body: 'done' });
    first.sendMessage('other', { body: 'purged' });
    const received = first.receiveMessages('q', { maxMessages: 10 });
    expect(received.map((m) => m.body)).toEqual(['in-flight', 'done']);
    const done = received.find((m) => m.body === 'done');
    if (!done) throw new Error('no message');
    first.deleteMessage('q', done.receiptHandle);
    first.purgeQueue('other');
    // A "restart": a new store on the same folder, the first one simply dropped (as by SIGKILL).
    const second = new QueueStore({ clock, dataDir: dir });
    expect(second.listQueues()).toEqual(['dlq', 'other', 'q']);
    expect(second.getQueueAttributes('q', ['VisibilityTimeout']).VisibilityTimeout).toBe('30');
    expect(counts(second, 'other')).toEqual({ visible: 0, notVisible: 0, delayed: 0 });
    // Still invisible (in flight) and still delayed.
    expect(counts(second)).toEqual({ visible: 0, notVisible: 1, delayed: 1 });
    clock.advance(30_000);
    const [again] = second.receiveMessages('q');
    expect(again?.body).toBe('in-flight');
    expect(again?.systemAttributes.ApproximateReceiveCount).toBe('2');
    clock.advance(90_000);
    const third = new QueueStore({ clock, dataDir: dir });
    // Its receive count survived too: past maxReceiveCount it moves to the DLQ.
    expect(third.receiveMessages('q', { maxMessages: 10 }).map((m) => m.body)).toEqual(['delayed']);
    expect(third.receiveMessages('dlq').map((m) => m.body)).toEqual(['in-flight']);
    const fourth = new QueueStore({ clock, dataDir: dir });
    expect(counts(fourth, 'dlq').notVisible).toBe(1);
    expect(counts(fourth).notVisible).toBe(1);
  });

  it('a torn last line (killed mid-write) is skipped, everything before it kept', () => {
    const clock = fakeClock();
    const dir = folder();
    const store = new QueueStore({ clock, dataDir: dir });
    store.createQueue('q');
    store.sendMessage('q', { body: 'kept' });
    appendFileSync(join(dir, 'sqs-journal.jsonl'), '{"op":"put","queue":"q","mess');
    const after = new QueueStore({ clock, dataDir: dir });
    expect(after.receiveMessages('q').map((m) => m.body)).toEqual(['kept']);
  });
});
