/** Schemas of values that several item kinds hold (a notify block, an event type), and the TTL attribute. */
import * as z from 'zod/mini';
import { CHAT_METHODS } from '../../../domain/chatMethods';
import { ALL_STATUSES, isEventType } from '../../../domain/eventTypes';
import type { EventType } from '../../../domain/eventTypes';
import type { DeliveryState } from '../../../services/eventStore';

/** DynamoDB's TTL attribute: epoch seconds. */
export const epochSeconds = (iso: string) => Math.floor(Date.parse(iso) / 1000);

export const eventTypeSchema = z.custom<EventType>((value) => typeof value === 'string' && isEventType(value), 'not a supported event type');
export const eventStatusSchema = z.enum(ALL_STATUSES);

/** The fields that name an event (EventIdentity), as an event item and a mail's line hold them. */
export const eventIdentityShape = {
  eventId: z.string(),
  eventType: eventTypeSchema,
  status: eventStatusSchema,
  instanceId: z.string(),
  regionId: z.string(),
  namespace: z.string(),
  repoName: z.string(),
  tag: z.string(),
  time: z.string(),
};

const DELIVERY_STATES = ['pending', 'delivered', 'retrying', 'throttled', 'failed', 'dead', 'suspended'] as const satisfies readonly DeliveryState[];
export const deliveryStateSchema = z.enum(DELIVERY_STATES);

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
