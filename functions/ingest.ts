/** POST /v1/events: CloudEvents in structured, batch and binary mode. */
import { AppError } from '../shared/domain/errors';
import { toIngestPayload } from '../shared/http/cloudEventModes';
import { createHttpFunction } from '../shared/http/createHttpFunction';
import type { HttpHandler } from '../shared/http/createHttpFunction';
import { ingestInputs } from '../shared/http/inputs/ingest';
import { json } from '../shared/http/response';
import type { Runtime } from '../shared/runtime';
import { createSqsClient } from '../shared/adapters/sqs/client';
import { lazyHttpHandler } from '../shared/wiring/base';
import { ingestDeps } from '../shared/wiring/ingest';
import { ingestEvents } from '../shared/services/ingest';
import { createTokenBuckets } from '../shared/domain/tokenBucket';
import { rateLimited } from '../shared/domain/errors';

export function createIngestHandler(rt: Pick<Runtime, 'config' | 'logger' | 'authenticator' | 'ingest'>): HttpHandler {
  const buckets = createTokenBuckets({ rate: rt.config.ingestRatePerSecond, burst: rt.config.ingestBurst });
  return createHttpFunction(
    'ingest',
    ingestInputs,
    {
      ingestEvents: async ({ headers, body, principal }) => {
        if (!principal) throw new Error('ingest reached without a principal');
        const payload = toIngestPayload(headers, body);
        const inputs = payload.mode === 'batch' ? payload.events : [payload.event];
        const caller = principal.kind === 'admin' ? 'admin' : principal.keyId;
        const decision = buckets.take(caller, inputs.length, Date.now());
        if (!decision.allowed) throw rateLimited(decision.retryAfterSeconds);
        const results = await ingestEvents(rt.ingest, principal, inputs);
        if (payload.mode === 'batch') {
          return json(202, { results: results.map(({ httpStatus: _s, ...rest }: { httpStatus?: number } & object) => rest) });
        }
        const [result] = results;
        if (!result) throw new Error('no ingest result');
        if (result.status === 'rejected') {
          throw new AppError(result.error.code, result.httpStatus, result.error.message, result.error.details ? { details: result.error.details } : {});
        }
        const { index: _i, ...single } = result;
        return json(202, single);
      },
    },
    rt,
  );
}

export const handler = lazyHttpHandler((base) =>
  createIngestHandler({ ...base, ingest: ingestDeps(base.config, base.db, createSqsClient(base.config), base.logger) }),
);
