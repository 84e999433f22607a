/** Input schemas of the ingest function's route. */
import * as z from 'zod/mini';
import { cloudEventSchemas, MAX_BATCH } from '../../domain/cloudEvents';
import { toIngestPayload } from '../cloudEventModes';
import { definePreparedInputs } from '../routeInputs';
import type { InputsOf } from '../routeInputs';

// Built when ingest loads: every request parses events with these same schemas.
const cloudEvent = cloudEventSchemas().event;

/** As documented; the operation validates each event itself so one bad item cannot reject a batch. */
export const ingestBodySchema = z.union([cloudEvent, z.array(cloudEvent).check(z.minLength(1), z.maxLength(MAX_BATCH))]);

export const ingestInputs = {
  ingestEvents: definePreparedInputs(
    'ingestEvents',
    {},
    {
      rawBody: ingestBodySchema,
      // The CloudEvents content mode (structured, batch or binary) from the headers: 400/415 here.
      prepare: (_input, { headers, body }) => ({ payload: toIngestPayload(headers, body) }),
      // One token per event: a batch of 100 weighs what 100 single requests weigh.
      weigh: ({ payload }) => (payload.mode === 'batch' ? payload.events.length : 1),
    },
  ),
} satisfies InputsOf<'ingest'>;
