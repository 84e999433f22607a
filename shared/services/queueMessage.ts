/**
 * The delivery queue's wire format, checked once where a message enters the worker: a
 * body that is not JSON, or whose fields have the wrong types, is refused here (its record
 * fails, SQS retries it, the DLQ and the reconciler end it) instead of travelling on as a
 * trusted `QueueMessage`. Unknown fields are dropped; every field is optional because
 * older messages lack some (see QueueMessage).
 */
import * as z from 'zod/mini';
import { CHAT_METHODS } from '../domain/chatMethods';
import type { QueueMessage } from './deliveryPorts';

const queueMessageSchema = z.object({
  kind: z.optional(z.enum(['delivery', 'flush'])),
  method: z.optional(z.enum(CHAT_METHODS)),
  eventId: z.optional(z.string()),
  instanceId: z.optional(z.string()),
  ruleId: z.optional(z.string()),
  deliveryId: z.optional(z.string()),
  botId: z.optional(z.string()),
  notBefore: z.optional(z.number()),
  expect: z.optional(z.number()),
  redrive: z.optional(z.number()),
});

/** Compiles only while the schema's output is exactly the port's QueueMessage. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;
export type _QueueMessageMatches = Assert<Same<z.output<typeof queueMessageSchema>, QueueMessage>>;

export function parseQueueMessage(body: string): QueueMessage {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new Error('queue message is not JSON');
  }
  const parsed = queueMessageSchema.safeParse(json);
  if (!parsed.success) throw new Error(`queue message is malformed: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ')}`);
  return parsed.data;
}
