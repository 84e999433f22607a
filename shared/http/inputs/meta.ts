/** Input schemas of the meta function's routes. */
import * as z from 'zod/mini';
import type { InputsOf } from '../routeTable';

export const healthQuerySchema = z.strictObject({
  deep: z.optional(z.enum(['true', 'false'], 'must be true or false')),
});

export const metaInputs: InputsOf<'meta'> = {
  getHealth: { query: healthQuerySchema },
};
