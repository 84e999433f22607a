/**
 * A single message: send-time validation, receipt handles and the view a receiver gets.
 * Receipt handles are opaque to clients but self-describing here (queue + message id +
 * nonce), so a handle from another queue or a garbage string is recognisably invalid
 * without keeping a table of every handle ever issued.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { SqsError, invalidParameter, invalidValue } from './errors';
import { attributesSize, hasOnlyValidCharacters, md5Hex, md5OfAttributes } from './messageAttributes';
import type { MessageAttributes } from './messageAttributes';

export interface SendInput {
  body: string;
  delaySeconds?: number;
  messageAttributes?: MessageAttributes;
  systemAttributes?: MessageAttributes;
}

export interface SendResult {
  messageId: string;
  md5OfBody: string;
  md5OfMessageAttributes?: string;
  md5OfSystemAttributes?: string;
}

export interface ReceivedMessage {
  messageId: string;
  receiptHandle: string;
  body: string;
  md5OfBody: string;
  messageAttributes: MessageAttributes;
  /** Every system attribute the message has (SentTimestamp, ApproximateReceiveCount, …). */
  systemAttributes: Record<string, string>;
}

export interface StoredMessage {
  id: string;
  body: string;
  md5OfBody: string;
  attributes: MessageAttributes;
  systemAttributes: MessageAttributes;
  sentAt: number;
  visibleAt: number;
  receiveCount: number;
  firstReceivedAt?: number;
  /** The latest receipt handle; only it may delete or change visibility. */
  receipt?: string;
  deadLetterSourceArn?: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function createMessage(
  input: SendInput,
  queue: { defaultDelaySeconds: number; maximumMessageSize: number },
  now: number,
): StoredMessage {
  const attributes = input.messageAttributes ?? {};
  if (input.body === '') throw new SqsError('MissingParameter', 'The request must contain the parameter MessageBody.');
  if (!hasOnlyValidCharacters(input.body)) {
    throw new SqsError('InvalidMessageContents', 'Invalid binary character was found in the message body, the set of allowed characters is #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF');
  }
  const delay = input.delaySeconds ?? queue.defaultDelaySeconds;
  if (!Number.isInteger(delay) || delay < 0 || delay > 900) {
    throw invalidValue('DelaySeconds', delay, 'DelaySeconds must be >= 0 and <= 900.');
  }
  const max = queue.maximumMessageSize;
  if (Buffer.byteLength(input.body, 'utf8') + attributesSize(attributes) > max) {
    throw invalidParameter(`One or more parameters are invalid. Reason: Message must be shorter than ${max} bytes.`);
  }
  return {
    id: randomUUID(),
    body: input.body,
    md5OfBody: md5Hex(input.body),
    attributes,
    systemAttributes: input.systemAttributes ?? {},
    sentAt: now,
    visibleAt: now + delay * 1000,
    receiveCount: 0,
  };
}

export function sendResultOf(m: StoredMessage): SendResult {
  const result: SendResult = { messageId: m.id, md5OfBody: m.md5OfBody };
  const md5Attrs = md5OfAttributes(m.attributes);
  if (md5Attrs !== undefined) result.md5OfMessageAttributes = md5Attrs;
  const md5System = md5OfAttributes(m.systemAttributes);
  if (md5System !== undefined) result.md5OfSystemAttributes = md5System;
  return result;
}

export function issueReceipt(queueName: string, m: StoredMessage): string {
  m.receipt = Buffer.from(`${queueName}\n${m.id}\n${randomBytes(12).toString('hex')}`).toString('base64url');
  return m.receipt;
}

/** The message id a handle refers to; throws unless it was issued for this queue. */
export function messageIdOfReceipt(queueName: string, receiptHandle: string): string {
  const [queue, id] = Buffer.from(receiptHandle, 'base64url').toString('utf8').split('\n');
  if (queue !== queueName || id === undefined || !UUID.test(id)) {
    throw new SqsError('ReceiptHandleIsInvalid', `The input receipt handle "${receiptHandle}" is not a valid receipt handle.`);
  }
  return id;
}

export function toReceived(m: StoredMessage, senderId: string): ReceivedMessage {
  const system: Record<string, string> = {
    SenderId: senderId,
    SentTimestamp: String(m.sentAt),
    ApproximateReceiveCount: String(m.receiveCount),
    ApproximateFirstReceiveTimestamp: String(m.firstReceivedAt ?? m.sentAt),
  };
  const trace = m.systemAttributes.AWSTraceHeader?.StringValue;
  if (trace !== undefined) system.AWSTraceHeader = trace;
  if (m.deadLetterSourceArn !== undefined) system.DeadLetterQueueSourceArn = m.deadLetterSourceArn;
  return {
    messageId: m.id,
    receiptHandle: m.receipt ?? '',
    body: m.body,
    md5OfBody: m.md5OfBody,
    messageAttributes: m.attributes,
    systemAttributes: system,
  };
}
