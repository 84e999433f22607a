/** Input schemas of the ingest function's route. */
import * as z from 'zod/mini';
import { cloudEventSchemas, MAX_BATCH } from '../../domain/cloudEvents';
import type { InputsOf } from '../routeTable';

// Built when ingest loads: every request parses events with these same schemas.
const cloudEvent = cloudEventSchemas().event;

/** As documented; the operation validates each event itself so one bad item cannot reject a batch. */
export const ingestBodySchema = z.union([cloudEvent, z.array(cloudEvent).check(z.minLength(1), z.maxLength(MAX_BATCH))]);

export const ingestInputs: InputsOf<'ingest'> = {
  ingestEvents: { body: ingestBodySchema, validateBody: false },
};
