/** Input schemas of the sources function's routes. */
import { instanceIdSchema } from '../../domain/names';
import { createSourceRequestSchema, sourceIdSchema } from '../../domain/sources';
import type { InputsOf } from '../routeTable';

const instance = { instanceId: instanceIdSchema };
const source = { instanceId: instanceIdSchema, sourceId: sourceIdSchema };

export const sourcesInputs: InputsOf<'sources'> = {
  createSource: { params: instance, body: createSourceRequestSchema },
  listSources: { params: instance },
  getSource: { params: source },
  deleteSource: { params: source },
};
