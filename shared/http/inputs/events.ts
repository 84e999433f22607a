/** Input schemas of the events function's routes (history, trace, redelivery). */
import * as z from 'zod/mini';
import { EVENT_TYPES } from '../../domain/eventTypes';
import type { EventType } from '../../domain/eventTypes';
import { eventIdSchema, instanceIdSchema, OCI_COMPONENT, RULE_ID_PATTERN } from '../../domain/names';
import type { InputsOf } from '../routeTable';

export const redeliverRequestSchema = z
  .strictObject({ ruleId: z.optional(z.string().check(z.regex(RULE_ID_PATTERN, 'must match ^crecr-[a-z0-9]{16}$'))) })
  .check(z.meta({ id: 'RedeliverRequest' }));

const ociFilter = z.optional(z.string().check(z.regex(OCI_COMPONENT), z.maxLength(128)));

export const historyQuerySchema = z.strictObject({
  ruleId: z.optional(z.string().check(z.regex(RULE_ID_PATTERN, 'must match ^crecr-[a-z0-9]{16}$'))),
  eventType: z.optional(z.enum(EVENT_TYPES as [EventType, ...EventType[]])),
  status: z.optional(z.enum(['SUCCESS', 'FAILED', 'CANCELED', 'DENIED'])),
  namespace: ociFilter,
  repoName: ociFilter,
  limit: z.optional(
    z.string().check(
      z.regex(/^\d{1,3}$/, 'must be a whole number from 1 to 100'),
      z.refine((v) => Number(v) >= 1 && Number(v) <= 100, 'must be from 1 to 100'),
    ),
  ),
  nextToken: z.optional(z.string().check(z.minLength(1), z.maxLength(2048))),
});

export const eventsInputs: InputsOf<'events'> = {
  listEvents: { params: { instanceId: instanceIdSchema }, query: historyQuerySchema },
  getEvent: { params: { eventId: eventIdSchema } },
  redeliverEvent: { params: { eventId: eventIdSchema }, body: z.optional(redeliverRequestSchema) },
  getInstanceEvent: { params: { instanceId: instanceIdSchema, eventId: eventIdSchema } },
  redeliverInstanceEvent: { params: { instanceId: instanceIdSchema, eventId: eventIdSchema }, body: z.optional(redeliverRequestSchema) },
};
