/**
 * Schemas of the values an event and a delivery attempt carry, declared once for every
 * place that checks or documents them: request inputs, stored items (decoded by the
 * storage shape) and the OpenAPI document's responses.
 */
import * as z from 'zod/mini';
import { DELIVERY_STATES } from './deliveryStates';
import { ALL_STATUSES, EVENT_TYPES } from './eventTypes';
import type { EventType } from './eventTypes';

export const eventTypeSchema = z.enum(EVENT_TYPES as [EventType, ...EventType[]]);
export const eventStatusSchema = z.enum(ALL_STATUSES);
export const deliveryStateSchema = z.enum(DELIVERY_STATES);

/** The fields that name an event (EventIdentity in cloudEvents.ts). */
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

/** One attempt in a delivery's trace (Attempt in services/deliveryPorts.ts). */
export const attemptShape = {
  n: z.int(),
  at: z.string(),
  durationMs: z.number(),
  outcome: z.enum(['delivered', 'retry', 'throttled', 'failed']),
  httpStatus: z.optional(z.int()),
  providerCode: z.optional(z.int()),
  providerMessage: z.optional(z.string()),
  error: z.optional(z.string()),
  digestId: z.optional(z.string()),
};
