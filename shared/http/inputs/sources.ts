/** Input schemas of the sources function's routes. */
import * as z from 'zod/mini';
import { instanceIdSchema } from '../../domain/names';
import { createSourceRequestSchema, sourceIdSchema } from '../../domain/sources';
import { defineInputs } from '../routeInputs';
import type { InputsOf } from '../routeInputs';

const instance = z.object({ instanceId: instanceIdSchema });
const source = z.object({ instanceId: instanceIdSchema, sourceId: sourceIdSchema });

export const sourcesInputs = {
  createSource: defineInputs('createSource', { params: instance, body: createSourceRequestSchema }),
  listSources: defineInputs('listSources', { params: instance }),
  getSource: defineInputs('getSource', { params: source }),
  deleteSource: defineInputs('deleteSource', { params: source }),
} satisfies InputsOf<'sources'>;
