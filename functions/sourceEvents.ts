/** POST /v1/sources/{sourceId}/events: a registry's native webhook, authenticated by the source's token. */
import { createHttpFunction, operation } from '../shared/http/createHttpFunction';
import type { HttpHandler } from '../shared/http/createHttpFunction';
import { sourceEventsInputs } from '../shared/http/inputs/sourceEvents';
import { json } from '../shared/http/response';
import type { Runtime } from '../shared/runtime';
import { createSqsClient } from '../shared/adapters/sqs/client';
import { receiveSourceEvents } from '../shared/services/sourceEvents';
import { buildCore } from '../shared/wiring/base';
import { getConfig, wiredHttpHandler } from '../shared/wiring/entry';
import { sourceAuthenticator, sourceEventsDeps } from '../shared/wiring/sources';

export function createSourceEventsHandler(rt: Pick<Runtime, 'config' | 'logger' | 'sourceAuthenticator' | 'sourceEvents'>): HttpHandler {
  return createHttpFunction(
    'sourceEvents',
    {
      ingestSourceEvents: operation(sourceEventsInputs.ingestSourceEvents, async ({ body, headers, source }) =>
        json(202, { results: await receiveSourceEvents(rt.sourceEvents, source, body, headers) }),
      ),
    },
    {
      logger: rt.logger,
      sourceAuthenticator: rt.sourceAuthenticator,
      rateLimit: { rate: rt.config.ingestRatePerSecond, burst: rt.config.ingestBurst },
    },
  );
}

/** Needs no API-key auth (and so no SSM read of the admin key): only the source's own token. */
export const handler = wiredHttpHandler(
  () => buildCore(getConfig()),
  (core) =>
    createSourceEventsHandler({
      ...core,
      sourceAuthenticator: sourceAuthenticator(core.config, core.db),
      sourceEvents: sourceEventsDeps(core.config, core.db, createSqsClient(core.config), core.logger),
    }),
);
