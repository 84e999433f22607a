/** POST /v1/events: CloudEvents in structured, batch and binary mode. */
import { createHttpFunction, operation } from '../shared/http/createHttpFunction';
import type { HttpHandler } from '../shared/http/createHttpFunction';
import { ingestInputs } from '../shared/http/inputs/ingest';
import { errorResponse } from '../shared/http/middlewares/errorEnvelope';
import { json } from '../shared/http/response';
import type { HttpResult } from '../shared/http/types';
import type { Runtime } from '../shared/runtime';
import { createSqsClient } from '../shared/adapters/sqs/client';
import { lazyHttpHandler } from '../shared/wiring/base';
import { ingestDeps } from '../shared/wiring/ingest';
import { ingestEvents, listedResult } from '../shared/services/ingest';
import type { IngestResult } from '../shared/services/ingest';

/** A lone event answers with its own result: 202 accepted or duplicate, or its refusal as the error envelope. */
function singleReply(result: IngestResult, requestId: string): HttpResult {
  if (result.status === 'rejected') return errorResponse({ status: result.httpStatus, ...result.error }, requestId);
  const { index: _index, ...single } = result;
  return json(202, single);
}

export function createIngestHandler(rt: Pick<Runtime, 'config' | 'logger' | 'authenticator' | 'ingest'>): HttpHandler {
  return createHttpFunction(
    'ingest',
    {
      ingestEvents: operation(ingestInputs.ingestEvents, async ({ payload, principal, requestId }) => {
        if (payload.mode === 'batch') {
          const results = await ingestEvents(rt.ingest, principal, payload.events);
          return json(202, { results: results.map(listedResult) });
        }
        const [result] = await ingestEvents(rt.ingest, principal, [payload.event]);
        if (!result) throw new Error('no ingest result');
        return singleReply(result, requestId);
      }),
    },
    { logger: rt.logger, authenticator: rt.authenticator, rateLimit: { rate: rt.config.ingestRatePerSecond, burst: rt.config.ingestBurst } },
  );
}

export const handler = lazyHttpHandler((base) =>
  createIngestHandler({ ...base, ingest: ingestDeps(base.config, base.db, createSqsClient(base.config), base.logger) }),
);
