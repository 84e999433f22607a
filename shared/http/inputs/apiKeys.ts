/** Input schemas of the apiKeys function's routes. */
import * as z from 'zod/mini';
import { createApiKeyRequestSchema, createSessionRequestSchema } from '../../domain/apiKeySchemas';
import { keyIdSchema } from '../../domain/names';
import { defineInputs } from '../routeInputs';
import type { InputsOf } from '../routeInputs';

export const apiKeysInputs = {
  createApiKey: defineInputs('createApiKey', { body: createApiKeyRequestSchema }),
  listApiKeys: defineInputs('listApiKeys', {}),
  revokeApiKey: defineInputs('revokeApiKey', { params: z.object({ keyId: keyIdSchema }) }),
  createSession: defineInputs('createSession', { body: createSessionRequestSchema }),
  endSession: defineInputs('endSession', {}),
  getMe: defineInputs('getMe', {}),
} satisfies InputsOf<'apiKeys'>;
