/** Input schemas of the apiKeys function's routes. */
import { createApiKeyRequestSchema, createSessionRequestSchema } from '../../domain/apiKeySchemas';
import { keyIdSchema } from '../../domain/names';
import type { InputsOf } from '../routeTable';

export const apiKeysInputs: InputsOf<'apiKeys'> = {
  createApiKey: { body: createApiKeyRequestSchema },
  revokeApiKey: { params: { keyId: keyIdSchema } },
  createSession: { body: createSessionRequestSchema },
};
