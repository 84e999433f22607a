/**
 * Contract tests: the real @aws-sdk/client-sqs (JSON protocol, body-MD5 validation on)
 * against the local emulator.
 */
import { createHash } from 'node:crypto';
import {
  BatchEntryIdsNotDistinct, ChangeMessageVisibilityBatchCommand, ChangeMessageVisibilityCommand, CreateQueueCommand,
  DeleteMessageBatchCommand, DeleteMessageCommand, DeleteQueueCommand, EmptyBatchRequest, GetQueueAttributesCommand,
  GetQueueUrlCommand, ListQueuesCommand, MessageNotInflight, PurgeQueueCommand, QueueDoesNotExist, QueueNameExists,
  ReceiveMessageCommand, SendMessageBatchCommand, SendMessageCommand, SetQueueAttributesCommand, SQSClient,
  TooManyEntriesInBatchRequest,
} from '@aws-sdk/client-sqs';
import type { Message, ReceiveMessageCommandInput } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSqsEmulator } from '../../local/sqs/server';
import type { SqsEmulator } from '../../local/sqs/server';

let emulator: SqsEmulator;
let sqs: SQSClient;
let queueSeq = 0;

const md5 = (s: string): string => createHash('md5').update(s, 'utf8').digest('hex');

async function newQueue(attributes?: Record<string, string>): Promise<{ name: string; url: string }> {
  const name = `contract-${process.pid}-${++queueSeq}`;
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  return { name, url: QueueUrl ?? '' };
}

async function counts(url: string): Promise<{ visible: number; notVisible: number; delayed: number }> {
  const { Attributes = {} } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }));
  return {
    visible: Number(Attributes.ApproximateNumberOfMessages),
    notVisible: Number(Attributes.ApproximateNumberOfMessagesNotVisible),
    delayed: Number(Attributes.ApproximateNumberOfMessagesDelayed),
  };
}

async function receive(url: string, extra: Omit<ReceiveMessageCommandInput, 'QueueUrl'> = {}): Promise<Message[]> {
  const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MessageSystemAttributeNames: ['All'], ...extra }));
  return out.Messages ?? [];
}

async function rejection(p: Promise<unknown>): Promise<Error & { name: string }> {
  try {
    await p;
  } catch (err) {
    if (err instanceof Error) return err;
  }
  throw new Error('expected the call to fail');
}

beforeAll(async () => {
  emulator = await startSqsEmulator({ port: 0 });
  sqs = new SQSClient({
    endpoint: emulator.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
});

afterAll(async () => {
  sqs?.destroy();
  await emulator?.close();
});

describe('SQS emulator via @aws-sdk/client-sqs', () => {
  it('creates (idempotently), finds, lists and deletes queues', async () => {
    const { name, url } = await newQueue({ VisibilityTimeout: '45' });
    expect(url).toBe(emulator.queueUrl(name));
    expect(url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:\\d+/000000000000/${name}$`));
    await expect(sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: { VisibilityTimeout: '45' } }))).resolves.toMatchObject({ QueueUrl: url });
    expect(await rejection(sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: { VisibilityTimeout: '46' } })))).toBeInstanceOf(QueueNameExists);
    expect((await sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl).toBe(url);
    expect((await sqs.send(new ListQueuesCommand({ QueueNamePrefix: name }))).QueueUrls).toEqual([url]);

    const missing = await rejection(sqs.send(new GetQueueUrlCommand({ QueueName: 'no-such-queue' })));
    expect(missing).toBeInstanceOf(QueueDoesNotExist);
    expect(missing.name).toBe('QueueDoesNotExist');

    await sqs.send(new DeleteQueueCommand({ QueueUrl: url }));
    expect((await rejection(sqs.send(new GetQueueUrlCommand({ QueueName: name })))).name).toBe('QueueDoesNotExist');
    expect((await rejection(sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x' })))).name).toBe('QueueDoesNotExist');
  });

  it('round-trips send/receive/delete with body checksums', async () => {
    const { url } = await newQueue();
    const body = 'héllo wörld 😀 <&>';
    const sent = await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body }));
    expect(sent.MD5OfMessageBody).toBe(md5(body));
    expect(sent.MD5OfMessageAttributes).toBeUndefined();

    const [msg] = await receive(url);
    expect(msg).toMatchObject({ MessageId: sent.MessageId, Body: body, MD5OfBody: md5(body) });
    expect(msg?.Attributes?.ApproximateReceiveCount).toBe('1');
    expect(Number(msg?.Attributes?.SentTimestamp)).toBeGreaterThan(0);
    expect(Number(msg?.Attributes?.ApproximateFirstReceiveTimestamp)).toBeGreaterThanOrEqual(Number(msg?.Attributes?.SentTimestamp));
    expect(await counts(url)).toEqual({ visible: 0, notVisible: 1, delayed: 0 });

    await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: msg?.ReceiptHandle }));
    expect(await counts(url)).toEqual({ visible: 0, notVisible: 0, delayed: 0 });
    expect((await rejection(sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: 'bogus' })))).name).toBe('ReceiptHandleIsInvalid');
  });

  it('round-trips message attributes with AWS-compatible MD5OfMessageAttributes', async () => {
    const { url } = await newQueue();
    const sent = await sqs.send(new SendMessageCommand({
      QueueUrl: url,
      MessageBody: 'with attributes',
      MessageAttributes: {
        timestamp: { DataType: 'Number', StringValue: '1493147359900' },
        kind: { DataType: 'String.custom', StringValue: 'delivery' },
        blob: { DataType: 'Binary', BinaryValue: new Uint8Array([0, 1, 254, 255]) },
      },
    }));
    expect(sent.MD5OfMessageAttributes).toMatch(/^[0-9a-f]{32}$/);

    // Only the selected attribute comes back, and the checksum covers just that one
    // (digest pinned by moto's suite as the value AWS returns).
    const [filtered] = await receive(url, { MessageAttributeNames: ['timestamp'], VisibilityTimeout: 0 });
    expect(filtered?.MessageAttributes).toEqual({ timestamp: { DataType: 'Number', StringValue: '1493147359900' } });
    expect(filtered?.MD5OfMessageAttributes).toBe('235c5c510d26fb653d073faed50ae77c');

    const [all] = await receive(url, { MessageAttributeNames: ['All'] });
    expect(all?.MD5OfMessageAttributes).toBe(sent.MD5OfMessageAttributes);
    expect(all?.MessageAttributes?.kind).toEqual({ DataType: 'String.custom', StringValue: 'delivery' });
    expect(Array.from(all?.MessageAttributes?.blob?.BinaryValue ?? [])).toEqual([0, 1, 254, 255]);

    const invalid = await rejection(sqs.send(new SendMessageCommand({
      QueueUrl: url,
      MessageBody: 'x',
      MessageAttributes: { n: { DataType: 'Number', StringValue: 'not-a-number' } },
    })));
    expect(invalid.name).toBe('InvalidParameterValue');
  });

  it('reports per-entry results and request-level errors for SendMessageBatch', async () => {
    const { url } = await newQueue();
    const out = await sqs.send(new SendMessageBatchCommand({
      QueueUrl: url,
      Entries: [
        { Id: 'ok-1', MessageBody: 'one' },
        { Id: 'too-late', MessageBody: 'two', DelaySeconds: 901 },
        { Id: 'ok-2', MessageBody: 'three', MessageAttributes: { a: { DataType: 'String', StringValue: 'b' } } },
      ],
    }));
    expect(out.Successful?.map((s) => s.Id).sort()).toEqual(['ok-1', 'ok-2']);
    expect(out.Successful?.find((s) => s.Id === 'ok-2')?.MD5OfMessageAttributes).toMatch(/^[0-9a-f]{32}$/);
    expect(out.Failed).toEqual([expect.objectContaining({ Id: 'too-late', SenderFault: true, Code: 'InvalidParameterValue' })]);
    expect((await counts(url)).visible).toBe(2);

    const empty = await rejection(sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: [] })));
    expect(empty).toBeInstanceOf(EmptyBatchRequest);
    const duplicate = await rejection(sqs.send(new SendMessageBatchCommand({
      QueueUrl: url,
      Entries: [{ Id: 'a', MessageBody: '1' }, { Id: 'a', MessageBody: '2' }],
    })));
    expect(duplicate).toBeInstanceOf(BatchEntryIdsNotDistinct);
    const tooMany = await rejection(sqs.send(new SendMessageBatchCommand({
      QueueUrl: url,
      Entries: Array.from({ length: 11 }, (_, i) => ({ Id: `m${i}`, MessageBody: 'x' })),
    })));
    expect(tooMany).toBeInstanceOf(TooManyEntriesInBatchRequest);
    expect((await rejection(sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', DelaySeconds: 901 })))).name).toBe('InvalidParameterValue');
  });

  it('keeps a delayed message invisible until its delay passes', async () => {
    const { url } = await newQueue();
    const started = Date.now();
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'later', DelaySeconds: 1 }));
    expect(await receive(url)).toEqual([]);
    expect(await counts(url)).toEqual({ visible: 0, notVisible: 0, delayed: 1 });
    const [msg] = await receive(url, { WaitTimeSeconds: 5 });
    expect(msg?.Body).toBe('later');
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it('redelivers after the visibility timeout with an incremented receive count', async () => {
    const { url } = await newQueue({ VisibilityTimeout: '1' });
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'retry me' }));
    const [first] = await receive(url);
    expect(await receive(url)).toEqual([]);
    const [second] = await receive(url, { WaitTimeSeconds: 5 });
    expect(second?.MessageId).toBe(first?.MessageId);
    expect(second?.Attributes?.ApproximateReceiveCount).toBe('2');
    expect(second?.ReceiptHandle).not.toBe(first?.ReceiptHandle);

    // A stale handle is accepted but does not delete (see queueStore.ts); the latest does.
    await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: first?.ReceiptHandle }));
    expect((await counts(url)).notVisible).toBe(1);
    await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: second?.ReceiptHandle }));
    expect(await counts(url)).toEqual({ visible: 0, notVisible: 0, delayed: 0 });
  });

  it('changes message visibility, singly and in batches', async () => {
    const { url } = await newQueue();
    await sqs.send(new SendMessageBatchCommand({
      QueueUrl: url,
      Entries: [{ Id: 'a', MessageBody: 'a' }, { Id: 'b', MessageBody: 'b' }],
    }));
    const received = await receive(url, { MaxNumberOfMessages: 10 });
    expect(received).toHaveLength(2);
    const [a, b] = received;

    await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: a?.ReceiptHandle, VisibilityTimeout: 0 }));
    const again = await receive(url);
    expect(again.map((m) => m.MessageId)).toEqual([a?.MessageId]);
    expect(again[0]?.Attributes?.ApproximateReceiveCount).toBe('2');

    const batch = await sqs.send(new ChangeMessageVisibilityBatchCommand({
      QueueUrl: url,
      Entries: [
        { Id: 'latest', ReceiptHandle: b?.ReceiptHandle, VisibilityTimeout: 0 },
        { Id: 'stale', ReceiptHandle: a?.ReceiptHandle, VisibilityTimeout: 0 },
      ],
    }));
    expect(batch.Successful?.map((s) => s.Id)).toEqual(['latest']);
    expect(batch.Failed).toEqual([expect.objectContaining({ Id: 'stale', Code: 'ReceiptHandleIsInvalid', SenderFault: true })]);

    // b is visible again, so it is no longer in flight.
    const notInflight = await rejection(sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: b?.ReceiptHandle, VisibilityTimeout: 5 })));
    expect(notInflight).toBeInstanceOf(MessageNotInflight);
  });

  it('long-polls: returns early when a message arrives, empty after WaitTimeSeconds', async () => {
    const { url } = await newQueue();
    let started = Date.now();
    const waiting = receive(url, { WaitTimeSeconds: 10 });
    setTimeout(() => void sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'ping' })), 200);
    const [msg] = await waiting;
    expect(msg?.Body).toBe('ping');
    expect(Date.now() - started).toBeLessThan(3000);

    started = Date.now();
    expect(await receive(url, { WaitTimeSeconds: 1 })).toEqual([]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);

    const invalid = await rejection(receive(url, { WaitTimeSeconds: 21 }));
    expect(invalid.name).toBe('InvalidParameterValue');
    expect((await rejection(receive(url, { MaxNumberOfMessages: 11 }))).name).toBe('InvalidParameterValue');
  });

  it('redrives to the dead-letter queue after maxReceiveCount', async () => {
    const dlq = await newQueue();
    const dlqArn = emulator.queueArn(dlq.name);
    const redrivePolicy = JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 2 });
    const src = await newQueue({ RedrivePolicy: redrivePolicy });
    const { Attributes = {} } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: src.url, AttributeNames: ['RedrivePolicy', 'QueueArn'] }));
    expect(JSON.parse(Attributes.RedrivePolicy ?? '{}')).toEqual({ deadLetterTargetArn: dlqArn, maxReceiveCount: 2 });
    expect(Attributes.QueueArn).toBe(`arn:aws:sqs:us-east-1:000000000000:${src.name}`);

    await sqs.send(new SendMessageCommand({
      QueueUrl: src.url,
      MessageBody: 'poison',
      MessageAttributes: { tag: { DataType: 'String', StringValue: 't' } },
    }));
    expect(await receive(src.url, { VisibilityTimeout: 0 })).toHaveLength(1);
    expect(await receive(src.url, { VisibilityTimeout: 0 })).toHaveLength(1);
    expect(await receive(src.url, { VisibilityTimeout: 0 })).toEqual([]);
    expect(await counts(src.url)).toEqual({ visible: 0, notVisible: 0, delayed: 0 });

    const [dead] = await receive(dlq.url, { MessageAttributeNames: ['All'] });
    expect(dead?.Body).toBe('poison');
    expect(dead?.MessageAttributes).toEqual({ tag: { DataType: 'String', StringValue: 't' } });
    expect(dead?.Attributes?.ApproximateReceiveCount).toBe('1');
    expect(dead?.Attributes?.DeadLetterQueueSourceArn).toBe(emulator.queueArn(src.name));
  });

  it('gets and sets queue attributes, purges, and batch-deletes', async () => {
    const { url } = await newQueue();
    const { Attributes = {} } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }));
    expect(Attributes).toMatchObject({ VisibilityTimeout: '30', DelaySeconds: '0', ReceiveMessageWaitTimeSeconds: '0', ApproximateNumberOfMessages: '0' });
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { VisibilityTimeout: '120' } }));
    const updated = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['VisibilityTimeout'] }));
    expect(updated.Attributes).toEqual({ VisibilityTimeout: '120' });
    expect((await rejection(sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['Nope' as 'All'] })))).name).toBe('InvalidAttributeName');

    await sqs.send(new SendMessageBatchCommand({
      QueueUrl: url,
      Entries: ['1', '2', '3'].map((n) => ({ Id: `m${n}`, MessageBody: n })),
    }));
    expect(await counts(url)).toEqual({ visible: 3, notVisible: 0, delayed: 0 });
    const received = await receive(url, { MaxNumberOfMessages: 10 });
    expect(received).toHaveLength(3);
    const deleted = await sqs.send(new DeleteMessageBatchCommand({
      QueueUrl: url,
      Entries: [
        ...received.slice(0, 2).map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle })),
        { Id: 'bad', ReceiptHandle: 'not-a-handle' },
      ],
    }));
    expect(deleted.Successful?.map((s) => s.Id)).toEqual(['d0', 'd1']);
    expect(deleted.Failed).toEqual([expect.objectContaining({ Id: 'bad', Code: 'ReceiptHandleIsInvalid' })]);
    expect(await counts(url)).toEqual({ visible: 0, notVisible: 1, delayed: 0 });

    await sqs.send(new PurgeQueueCommand({ QueueUrl: url }));
    expect(await counts(url)).toEqual({ visible: 0, notVisible: 0, delayed: 0 });
  });
});

describe('SQS emulator wire protocol', () => {
  const post = (target: string | undefined, body: string) =>
    fetch(`${emulator.endpoint}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.0', ...(target ? { 'x-amz-target': target } : {}) },
      body,
    });

  it('answers unknown actions, malformed JSON and oversized bodies with 400-class JSON errors', async () => {
    const unknown = await post('AmazonSQS.Frobnicate', '{}');
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({ __type: 'com.amazonaws.sqs#InvalidAction' });

    const malformed = await post('AmazonSQS.SendMessage', '{"QueueUrl":');
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { __type: string }).__type).toMatch(/SerializationException$/);

    const noTarget = await post(undefined, '{}');
    expect(noTarget.status).toBe(400);

    const missingQueue = await post('AmazonSQS.GetQueueUrl', '{"QueueName":"absent"}');
    expect(missingQueue.status).toBe(400);
    expect(missingQueue.headers.get('x-amzn-query-error')).toBe('AWS.SimpleQueueService.NonExistentQueue;Sender');
    expect(await missingQueue.json()).toMatchObject({ __type: 'com.amazonaws.sqs#QueueDoesNotExist' });

    const wrongTypes = await post('AmazonSQS.SendMessage', '{"QueueUrl":42,"MessageBody":[]}');
    expect(wrongTypes.status).toBe(400);

    const huge = await post('AmazonSQS.SendMessage', JSON.stringify({ QueueUrl: 'x', MessageBody: 'x'.repeat(1_100_000) }));
    expect(huge.status).toBe(413);

    // Still serving after all of the above.
    expect((await sqs.send(new ListQueuesCommand({}))).$metadata.httpStatusCode).toBe(200);
  });

  it('ends open long polls promptly on close', async () => {
    const own = await startSqsEmulator({});
    const client = new SQSClient({ endpoint: own.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    try {
      const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: 'closing' }));
      const poll = client.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 20 })).then(
        (out) => out.Messages ?? [],
        () => 'failed' as const,
      );
      await new Promise((r) => setTimeout(r, 100));
      const started = Date.now();
      await own.close();
      expect(await poll).toEqual([]);
      expect(Date.now() - started).toBeLessThan(1500);
    } finally {
      client.destroy();
    }
  });
});
