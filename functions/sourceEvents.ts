/** POST /v1/sources/{sourceId}/events: a registry's native webhook, authenticated by the source's token. */
import { rateLimited, validationFailed } from '../shared/domain/errors';
import { createTokenBuckets } from '../shared/domain/tokenBucket';
import { createHttpFunction } from '../shared/http/createHttpFunction';
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
  const buckets = createTokenBuckets({ rate: rt.config.ingestRatePerSecond, burst: rt.config.ingestBurst });
  return createHttpFunction(
    'sourceEvents',
    sourceEventsInputs,
    {
      ingestSourceEvents: async ({ body, headers, source }) => {
        if (!source) throw new Error('source ingest reached without a source');
        if (body === undefined) throw validationFailed([{ path: '', message: 'a webhook body is required' }]);
        const decision = buckets.take(source.sourceId, 1, Date.now());
        if (!decision.allowed) throw rateLimited(decision.retryAfterSeconds, 'Too many requests for this source');
        return json(202, { results: await receiveSourceEvents(rt.sourceEvents, source, body, headers) });
      },
    },
    { logger: rt.logger, sourceAuthenticator: rt.sourceAuthenticator },
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
