/** The API key request schema (SPEC §4 "API keys"), zod/mini; only the apiKeys function builds it. */
import * as z from 'zod/mini';
import { SCOPES } from './apiKeys';
import { instanceIdSchema } from './names';

const distinct = <T>(items: readonly T[]) => new Set(items).size === items.length;

export const createApiKeyRequestSchema = z
  .strictObject({
    name: z
      .string()
      .check(
        z.minLength(1),
        z.maxLength(64),
        z.regex(/^[A-Za-z0-9][A-Za-z0-9 _.-]*$/, 'letters, digits, space, "_", "." and "-", starting with a letter or digit'),
      ),
    scopes: z.array(z.enum(SCOPES)).check(z.minLength(1), z.maxLength(SCOPES.length), z.refine(distinct, 'scopes must be distinct')),
    instanceIds: z
      .array(z.union([z.literal('*'), instanceIdSchema]))
      .check(
        z.minLength(1),
        z.maxLength(100),
        z.refine(distinct, 'instanceIds must be distinct'),
        z.refine((ids) => !ids.includes('*') || ids.length === 1, '"*" must be the only entry when present'),
      ),
  })
  .check(
    z.meta({
      id: 'CreateApiKeyRequest',
      example: { name: 'ci-publisher', scopes: ['events:write'], instanceIds: ['cri-abc123'] },
    }),
  );
export type CreateApiKeyRequest = z.infer<typeof createApiKeyRequestSchema>;

/** Console sign-in: the key itself, checked like a bearer key (SPEC §10). */
export const createSessionRequestSchema = z
  .strictObject({ apiKey: z.string().check(z.minLength(1), z.maxLength(512)) })
  .check(z.meta({ id: 'CreateSessionRequest', example: { apiKey: 'rek_ak-…' } }));
export type CreateSessionRequest = z.infer<typeof createSessionRequestSchema>;
