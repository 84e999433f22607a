/**
 * One handler per SQS action: JSON request members in, JSON response members out, with
 * member names exactly as the SDK's awsJson1_0 schemas (client-sqs) read and write them.
 */
import { SqsError, invalidParameter } from './errors';
import { md5OfAttributes, parseMessageAttributes, parseSystemAttributes } from './messageAttributes';
import type { MessageAttributes } from './messageAttributes';
import {
  batchEntries,
  batchFailure,
  optInt,
  optMap,
  optString,
  optStringList,
  queueNameFromUrl,
  reqInt,
  reqString,
} from './protocol';
import type { JsonObject } from './protocol';
import type { QueueStore, ReceivedMessage, SendResult } from './queueStore';

export interface OperationContext {
  store: QueueStore;
  queueUrl(name: string): string;
  /** Aborted when the client goes away, so a long poll does not swallow messages. */
  signal: AbortSignal;
}

type Handler = (input: JsonObject, ctx: OperationContext) => JsonObject | Promise<JsonObject>;

const queueOf = (input: JsonObject): string => queueNameFromUrl(reqString(input, 'QueueUrl'));

function sendOne(store: QueueStore, queue: string, input: JsonObject): SendResult {
  const body = optString(input, 'MessageBody');
  if (body === undefined) throw new SqsError('MissingParameter', 'The request must contain the parameter MessageBody.');
  return store.sendMessage(queue, {
    body,
    delaySeconds: optInt(input, 'DelaySeconds'),
    messageAttributes: parseMessageAttributes(input.MessageAttributes),
    systemAttributes: parseSystemAttributes(input.MessageSystemAttributes),
  });
}

function sendResultJson(result: SendResult): JsonObject {
  const out: JsonObject = { MessageId: result.messageId, MD5OfMessageBody: result.md5OfBody };
  if (result.md5OfMessageAttributes) out.MD5OfMessageAttributes = result.md5OfMessageAttributes;
  if (result.md5OfSystemAttributes) out.MD5OfMessageSystemAttributes = result.md5OfSystemAttributes;
  return out;
}

/** "All" / ".*" select everything, "prefix.*" a prefix, anything else an exact name. */
function selectMessageAttributes(attrs: MessageAttributes, names: readonly string[]): MessageAttributes {
  const wanted = (name: string): boolean =>
    names.some((n) => n === 'All' || n === '.*' || n === name || (n.endsWith('.*') && name.startsWith(n.slice(0, -1))));
  return Object.fromEntries(Object.entries(attrs).filter(([name]) => wanted(name)));
}

function receivedJson(m: ReceivedMessage, systemNames: readonly string[], attributeNames: readonly string[]): JsonObject {
  const out: JsonObject = { MessageId: m.messageId, ReceiptHandle: m.receiptHandle, MD5OfBody: m.md5OfBody, Body: m.body };
  const all = systemNames.includes('All');
  const system = Object.fromEntries(Object.entries(m.systemAttributes).filter(([k]) => all || systemNames.includes(k)));
  if (Object.keys(system).length > 0) out.Attributes = system;
  // The checksum covers only the attributes actually returned, which is what clients verify.
  const attributes = selectMessageAttributes(m.messageAttributes, attributeNames);
  const md5 = md5OfAttributes(attributes);
  if (md5 !== undefined) {
    out.MessageAttributes = attributes;
    out.MD5OfMessageAttributes = md5;
  }
  return out;
}

/** Runs `fn` per batch entry, collecting per-entry outcomes as AWS reports them. */
function perEntry(
  entries: (JsonObject & { Id: string })[],
  fn: (entry: JsonObject & { Id: string }) => JsonObject,
): JsonObject {
  const Successful: JsonObject[] = [];
  const Failed: JsonObject[] = [];
  for (const entry of entries) {
    try {
      Successful.push({ Id: entry.Id, ...fn(entry) });
    } catch (err) {
      // A vanished queue fails the whole request, not each entry.
      if (err instanceof SqsError && err.code === 'QueueDoesNotExist') throw err;
      Failed.push(batchFailure(entry.Id, err));
    }
  }
  return { Successful, Failed };
}

const SEND_BATCH_LIMIT_BYTES = 262_144;

export const OPERATIONS: Readonly<Record<string, Handler>> = {
  CreateQueue: (input, ctx) => {
    const name = reqString(input, 'QueueName');
    ctx.store.createQueue(name, optMap(input, 'Attributes') ?? {});
    return { QueueUrl: ctx.queueUrl(name) };
  },

  GetQueueUrl: (input, ctx) => {
    const name = reqString(input, 'QueueName');
    if (!ctx.store.hasQueue(name)) throw new SqsError('QueueDoesNotExist', 'The specified queue does not exist.');
    return { QueueUrl: ctx.queueUrl(name) };
  },

  ListQueues: (input, ctx) => {
    const maxResults = optInt(input, 'MaxResults');
    if (maxResults !== undefined && (maxResults < 1 || maxResults > 1000)) {
      throw invalidParameter(`Value ${maxResults} for parameter MaxResults is invalid. Reason: must be between 1 and 1000.`);
    }
    const token = optString(input, 'NextToken');
    const after = token ? Buffer.from(token, 'base64url').toString('utf8') : '';
    const names = ctx.store.listQueues(optString(input, 'QueueNamePrefix') ?? '').filter((n) => n > after);
    const page = names.slice(0, maxResults ?? 1000);
    const out: JsonObject = {};
    if (page.length > 0) out.QueueUrls = page.map((n) => ctx.queueUrl(n));
    // Like AWS, a NextToken is only ever issued when the caller asked for paging.
    const last = page.at(-1);
    if (maxResults !== undefined && names.length > page.length && last !== undefined) {
      out.NextToken = Buffer.from(last, 'utf8').toString('base64url');
    }
    return out;
  },

  GetQueueAttributes: (input, ctx) => {
    const attributes = ctx.store.getQueueAttributes(queueOf(input), optStringList(input, 'AttributeNames') ?? []);
    return Object.keys(attributes).length > 0 ? { Attributes: attributes } : {};
  },

  SetQueueAttributes: (input, ctx) => {
    const attributes = optMap(input, 'Attributes');
    if (attributes === undefined) throw new SqsError('MissingParameter', 'The request must contain the parameter Attributes.');
    ctx.store.setQueueAttributes(queueOf(input), attributes);
    return {};
  },

  PurgeQueue: (input, ctx) => {
    ctx.store.purgeQueue(queueOf(input));
    return {};
  },

  DeleteQueue: (input, ctx) => {
    ctx.store.deleteQueue(queueOf(input));
    return {};
  },

  SendMessage: (input, ctx) => sendResultJson(sendOne(ctx.store, queueOf(input), input)),

  SendMessageBatch: (input, ctx) => {
    const queue = queueOf(input);
    const entries = batchEntries(input, 'SendMessageBatchRequestEntry');
    if (!ctx.store.hasQueue(queue)) throw new SqsError('QueueDoesNotExist', 'The specified queue does not exist.');
    const total = entries.reduce((sum, e) => sum + (typeof e.MessageBody === 'string' ? Buffer.byteLength(e.MessageBody) : 0), 0);
    if (total > SEND_BATCH_LIMIT_BYTES) {
      throw new SqsError('BatchRequestTooLong', `Batch requests cannot be longer than ${SEND_BATCH_LIMIT_BYTES} bytes. You have sent ${total} bytes.`);
    }
    return perEntry(entries, (entry) => sendResultJson(sendOne(ctx.store, queue, entry)));
  },

  ReceiveMessage: async (input, ctx) => {
    const systemNames = [...(optStringList(input, 'AttributeNames') ?? []), ...(optStringList(input, 'MessageSystemAttributeNames') ?? [])];
    const attributeNames = optStringList(input, 'MessageAttributeNames') ?? [];
    const messages = await ctx.store.receiveMessagesWait(
      queueOf(input),
      {
        maxMessages: optInt(input, 'MaxNumberOfMessages'),
        visibilityTimeout: optInt(input, 'VisibilityTimeout'),
        waitTimeSeconds: optInt(input, 'WaitTimeSeconds'),
      },
      ctx.signal,
    );
    return messages.length > 0 ? { Messages: messages.map((m) => receivedJson(m, systemNames, attributeNames)) } : {};
  },

  DeleteMessage: (input, ctx) => {
    ctx.store.deleteMessage(queueOf(input), reqString(input, 'ReceiptHandle'));
    return {};
  },

  DeleteMessageBatch: (input, ctx) => {
    const queue = queueOf(input);
    const entries = batchEntries(input, 'DeleteMessageBatchRequestEntry');
    return perEntry(entries, (entry) => {
      ctx.store.deleteMessage(queue, reqString(entry, 'ReceiptHandle'));
      return {};
    });
  },

  ChangeMessageVisibility: (input, ctx) => {
    ctx.store.changeMessageVisibility(queueOf(input), reqString(input, 'ReceiptHandle'), reqInt(input, 'VisibilityTimeout'));
    return {};
  },

  ChangeMessageVisibilityBatch: (input, ctx) => {
    const queue = queueOf(input);
    const entries = batchEntries(input, 'ChangeMessageVisibilityBatchRequestEntry');
    return perEntry(entries, (entry) => {
      ctx.store.changeMessageVisibility(queue, reqString(entry, 'ReceiptHandle'), optInt(entry, 'VisibilityTimeout') ?? 0);
      return {};
    });
  },
};
