/** Schemas of values that several item kinds hold (a notify block, an event type), and the TTL attribute. */
import * as z from 'zod/mini';
import { CHAT_METHODS } from '../../../domain/chatMethods';

/** DynamoDB's TTL attribute: epoch seconds. */
export const epochSeconds = (iso: string) => Math.floor(Date.parse(iso) / 1000);

/** Event types and statuses, and the fields that name an event, as the domain declares them. */
export { eventIdentityShape, eventStatusSchema, eventTypeSchema } from '../../../domain/eventSchemas';

export { deliveryStateSchema } from '../../../domain/eventSchemas';

/** A rule's (or an alert target's) notify block as stored: secrets sealed, a chat webhook masked. */
export const storedNotifySchema = z.union([
  z.object({
    method: z.enum(CHAT_METHODS),
    webhookUrlMasked: z.string(),
    sealedWebhookUrl: z.string(),
    sealedSecret: z.optional(z.string()),
    botId: z.string(),
  }),
  z.object({ method: z.enum(['http', 'https']), url: z.string(), sealedSecret: z.optional(z.string()) }),
]);
