/** Input schemas of the native registry-webhook route: the body is each dialect's own, validated by it. */
import * as z from 'zod/mini';
import { sourceIdSchema } from '../../domain/sources';
import type { InputsOf } from '../routeTable';

const nativeBody = z.unknown().check(
  z.meta({
    id: 'NativeWebhook',
    description:
      "The registry's own webhook body: Harbor Default or CloudEvents payload, a CNCF Distribution envelope {\"events\":[...]}, an Amazon EventBridge event from aws.ecr, or ACR CloudEvents (structured, batch or binary).",
  }),
);

export const sourceEventsInputs: InputsOf<'sourceEvents'> = {
  ingestSourceEvents: { params: { sourceId: sourceIdSchema }, body: nativeBody, validateBody: false },
};
