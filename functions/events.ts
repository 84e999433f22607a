/**
 * Event history and trace: GET /v1/instances/{instanceId}/events, GET /v1/instances/{instanceId}/events/{eventId},
 * GET /v1/events/{eventId}, and POST .../redeliver on either event path.
 */
import { createHttpFunction, operation } from '../shared/http/createHttpFunction';
import type { HttpHandler } from '../shared/http/createHttpFunction';
import { eventsInputs } from '../shared/http/inputs/events';
import { json } from '../shared/http/response';
import type { Runtime } from '../shared/runtime';
import { createSqsClient } from '../shared/adapters/sqs/client';
import { lazyHttpHandler } from '../shared/wiring/base';
import { historyDeps } from '../shared/wiring/ingest';
import { getEventTrace, listEvents, redeliver } from '../shared/services/history';
import { bulkRedeliver } from '../shared/services/bulkRedeliver';

export function createEventsHandler(rt: Pick<Runtime, 'logger' | 'authenticator' | 'history'>): HttpHandler {
  return createHttpFunction(
    'events',
    {
      listEvents: operation(eventsInputs.listEvents, async ({ params, query }) => {
        const { limit, nextToken, ...filter } = query;
        const page = await listEvents(rt.history, params.instanceId, filter, limit ? Number(limit) : 30, nextToken);
        return json(200, page);
      }),
      bulkRedeliver: operation(eventsInputs.bulkRedeliver, async ({ params: { instanceId }, body }) => {
        const result = await bulkRedeliver(rt.history, instanceId, body);
        rt.logger.info('bulk redelivery', { instanceId, requeued: result.requeued });
        return json(202, result);
      }),
      getEvent: operation(eventsInputs.getEvent, async ({ params, principal }) => json(200, await getEventTrace(rt.history, principal, params.eventId))),
      redeliverEvent: operation(eventsInputs.redeliverEvent, async ({ params, principal, body }) => {
        const result = await redeliver(rt.history, principal, params.eventId, body?.ruleId);
        rt.logger.info('redelivery requested', { eventId: params.eventId, requeued: result.requeued });
        return json(202, result);
      }),
      getInstanceEvent: operation(eventsInputs.getInstanceEvent, async ({ params, principal }) =>
        json(200, await getEventTrace(rt.history, principal, params.eventId, params.instanceId)),
      ),
      redeliverInstanceEvent: operation(eventsInputs.redeliverInstanceEvent, async ({ params, principal, body }) => {
        const result = await redeliver(rt.history, principal, params.eventId, body?.ruleId, params.instanceId);
        rt.logger.info('redelivery requested', { instanceId: params.instanceId, eventId: params.eventId, requeued: result.requeued });
        return json(202, result);
      }),
    },
    rt,
  );
}

export const handler = lazyHttpHandler((base) =>
  createEventsHandler({ ...base, history: historyDeps(base.config, base.db, createSqsClient(base.config), base.adminKey) }),
);
