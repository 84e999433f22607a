import { createHash } from 'node:crypto';

/** Stable across retries and redeliveries: receivers de-duplicate on it (webhook-id). */
export function deliveryIdOf(eventId: string, ruleId: string): string {
  return `msg_${createHash('sha256').update(`${eventId}\n${ruleId}`).digest('base64url').slice(0, 27)}`;
}
