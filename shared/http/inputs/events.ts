/** Input schemas of the events function's routes (history, trace, redelivery). */
import * as z from 'zod/mini';
import { deliveryStateSchema, eventTypeSchema } from '../../domain/eventSchemas';
import { eventIdSchema, instanceIdSchema, OCI_COMPONENT, RULE_ID_PATTERN } from '../../domain/names';
import { defineInputs } from '../routeInputs';
import type { InputsOf } from '../routeInputs';


const isoTime = z.string().check(z.refine((v) => /^\d{4}-\d{2}-\d{2}T/.test(v) && !Number.isNaN(Date.parse(v)), 'must be an ISO 8601 time'), z.maxLength(40));

/** POST /v1/instances/{instanceId}/redeliver (SPEC §13). */
export const bulkRedeliverRequestSchema = z
  .strictObject({
    ruleId: z.optional(z.string().check(z.regex(RULE_ID_PATTERN, 'must match ^crecr-[a-z0-9]{16}$'))),
    states: z.array(z.enum(['failed', 'dead'])).check(z.minLength(1), z.maxLength(2)),
    since: z.optional(isoTime),
    until: z.optional(isoTime),
  })
  .check(
    z.refine((r) => r.since === undefined || r.until === undefined || Date.parse(r.since) <= Date.parse(r.until), { error: 'must not be after until', path: ['since'] }),
    z.meta({ id: 'BulkRedeliverRequest', example: { ruleId: 'crecr-0a1b2c3d4e5f6g7h', states: ['failed', 'dead'], since: '2026-12-01T00:00:00Z' } }),
  );
export type BulkRedeliverRequest = z.infer<typeof bulkRedeliverRequestSchema>;

export const redeliverRequestSchema = z
  .strictObject({ ruleId: z.optional(z.string().check(z.regex(RULE_ID_PATTERN, 'must match ^crecr-[a-z0-9]{16}$'))) })
  .check(z.meta({ id: 'RedeliverRequest' }));

const ociFilter = z.optional(z.string().check(z.regex(OCI_COMPONENT), z.maxLength(128)));

export const historyQuerySchema = z.strictObject({
  ruleId: z.optional(z.string().check(z.regex(RULE_ID_PATTERN, 'must match ^crecr-[a-z0-9]{16}$'))),
  eventType: z.optional(eventTypeSchema),
  status: z.optional(z.enum(['SUCCESS', 'FAILED', 'CANCELED', 'DENIED'])),
  namespace: ociFilter,
  repoName: ociFilter,
  deliveryState: z.optional(deliveryStateSchema),
  limit: z.optional(
    z.string().check(
      z.regex(/^\d{1,3}$/, 'must be a whole number from 1 to 100'),
      z.refine((v) => Number(v) >= 1 && Number(v) <= 100, 'must be from 1 to 100'),
    ),
  ),
  nextToken: z.optional(z.string().check(z.minLength(1), z.maxLength(2048))),
});

const instance = z.object({ instanceId: instanceIdSchema });
const event = z.object({ eventId: eventIdSchema });
const instanceEvent = z.object({ instanceId: instanceIdSchema, eventId: eventIdSchema });

export const eventsInputs = {
  listEvents: defineInputs('listEvents', { params: instance, query: historyQuerySchema }),
  getEvent: defineInputs('getEvent', { params: event }),
  redeliverEvent: defineInputs('redeliverEvent', { params: event, body: z.optional(redeliverRequestSchema) }),
  getInstanceEvent: defineInputs('getInstanceEvent', { params: instanceEvent }),
  redeliverInstanceEvent: defineInputs('redeliverInstanceEvent', { params: instanceEvent, body: z.optional(redeliverRequestSchema) }),
  bulkRedeliver: defineInputs('bulkRedeliver', { params: instance, body: bulkRedeliverRequestSchema }),
} satisfies InputsOf<'events'>;
