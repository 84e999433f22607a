/** Input schemas of the meta function's routes. */
import * as z from 'zod/mini';
import { defineInputs } from '../routeInputs';
import type { InputsOf } from '../routeInputs';

export const healthQuerySchema = z.strictObject({
  deep: z.optional(z.enum(['true', 'false'], 'must be true or false')),
});

export const metaInputs = {
  getHealth: defineInputs('getHealth', { query: healthQuerySchema }),
  getOpenApi: defineInputs('getOpenApi', {}),
} satisfies InputsOf<'meta'>;
