/** Input schemas of the native registry-webhook route: the body is each dialect's own, validated by it. */
import * as z from 'zod/mini';
import { validationFailed } from '../../domain/errors';
import { sourceIdSchema } from '../../domain/sources';
import { definePreparedInputs } from '../routeInputs';
import type { InputsOf } from '../routeInputs';

const nativeBody = z.unknown().check(
  z.meta({
    id: 'NativeWebhook',
    description:
      "The registry's own webhook body: Harbor Default or CloudEvents payload, a CNCF Distribution envelope {\"events\":[...]}, an Amazon EventBridge event from aws.ecr, or ACR CloudEvents (structured, batch or binary).",
  }),
);

export const sourceEventsInputs = {
  ingestSourceEvents: definePreparedInputs(
    'ingestSourceEvents',
    { params: z.object({ sourceId: sourceIdSchema }) },
    {
      rawBody: nativeBody,
      prepare: (_input, { body }) => {
        if (body === undefined) throw validationFailed([{ path: '', message: 'a webhook body is required' }]);
        return { body };
      },
    },
  ),
} satisfies InputsOf<'sourceEvents'>;
