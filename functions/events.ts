/**
 * Event history and trace: GET /v1/instances/{instanceId}/events, GET /v1/instances/{instanceId}/events/{eventId},
 * GET /v1/events/{eventId}, and POST .../redeliver on either event path.
 */
import { createHttpFunction } from '../shared/http/createHttpFunction';
import type { HttpHandler } from '../shared/http/createHttpFunction';
import { eventsInputs } from '../shared/http/inputs/events';
import { json } from '../shared/http/response';
import type { Runtime } from '../shared/runtime';
import { createSqsClient } from '../shared/adapters/sqs/client';
import { lazyHttpHandler } from '../shared/wiring/base';
import { historyDeps } from '../shared/wiring/ingest';
import { getEventTrace, listEvents, redeliver } from '../shared/services/history';
import { bulkRedeliver } from '../shared/services/bulkRedeliver';
import type { BulkRedeliverRequest } from '../shared/http/inputs/events';

export function createEventsHandler(rt: Pick<Runtime, 'logger' | 'authenticator' | 'history'>): HttpHandler {
  return createHttpFunction(
    'events',
    eventsInputs,
    {
      listEvents: async ({ params, query }) => {
        const { limit, nextToken, ...filter } = query;
        const page = await listEvents(rt.history, params.instanceId ?? '', filter, limit ? Number(limit) : 30, nextToken);
        return json(200, page);
      },
      bulkRedeliver: async ({ params, body }) => {
        const instanceId = params.instanceId ?? '';
        const result = await bulkRedeliver(rt.history, instanceId, body as BulkRedeliverRequest);
        rt.logger.info('bulk redelivery', { instanceId, requeued: result.requeued });
        return json(202, result);
      },
      getEvent: async ({ params, principal }) => {
        if (!principal) throw new Error('no principal');
        return json(200, await getEventTrace(rt.history, principal, params.eventId ?? ''));
      },
      redeliverEvent: async ({ params, principal, body }) => {
        if (!principal) throw new Error('no principal');
        const ruleId = (body as { ruleId?: string } | undefined)?.ruleId;
        const result = await redeliver(rt.history, principal, params.eventId ?? '', ruleId);
        rt.logger.info('redelivery requested', { eventId: params.eventId, requeued: result.requeued });
        return json(202, result);
      },
      getInstanceEvent: async ({ params, principal }) => {
        if (!principal) throw new Error('no principal');
        return json(200, await getEventTrace(rt.history, principal, params.eventId ?? '', params.instanceId ?? ''));
      },
      redeliverInstanceEvent: async ({ params, principal, body }) => {
        if (!principal) throw new Error('no principal');
        const ruleId = (body as { ruleId?: string } | undefined)?.ruleId;
        const result = await redeliver(rt.history, principal, params.eventId ?? '', ruleId, params.instanceId ?? '');
        rt.logger.info('redelivery requested', { instanceId: params.instanceId, eventId: params.eventId, requeued: result.requeued });
        return json(202, result);
      },
    },
    rt,
  );
}

export const handler = lazyHttpHandler((base) =>
  createEventsHandler({ ...base, history: historyDeps(base.config, base.db, createSqsClient(base.config), base.adminKey) }),
);
