/**
 * API keys: format, scopes and the authorisation decision. Pure: hashing and
 * randomness are injected by the service layer.
 */
import * as z from 'zod';

export const SCOPES = ['rules:read', 'rules:write', 'events:read', 'events:write'] as const;
export type Scope = (typeof SCOPES)[number];

export const INSTANCE_ID_PATTERN = /^cri-[a-z0-9]{4,32}$/;
export const KEY_ID_PATTERN = /^ak-[a-z0-9]{16}$/;
/** `rek_` + key id + `_` + 43 base64url characters (32 random bytes). */
const API_KEY_PATTERN = /^rek_(ak-[a-z0-9]{16})_[A-Za-z0-9_-]{43}$/;

export const instanceIdSchema = z.string().regex(INSTANCE_ID_PATTERN, 'must match ^cri-[a-z0-9]{4,32}$');

export const createApiKeyRequestSchema = z
  .strictObject({
    name: z
      .string()
      .min(1)
      .max(64)
      .regex(/^[A-Za-z0-9][A-Za-z0-9 _.-]*$/, 'letters, digits, space, "_", "." and "-", starting with a letter or digit'),
    scopes: z
      .array(z.enum(SCOPES))
      .min(1)
      .max(SCOPES.length)
      .refine((s) => new Set(s).size === s.length, 'scopes must be distinct'),
    instanceIds: z
      .array(z.union([z.literal('*'), instanceIdSchema]))
      .min(1)
      .max(100)
      .refine((ids) => new Set(ids).size === ids.length, 'instanceIds must be distinct')
      .refine((ids) => !ids.includes('*') || ids.length === 1, '"*" must be the only entry when present'),
  })
  .meta({
    id: 'CreateApiKeyRequest',
    example: { name: 'ci-publisher', scopes: ['events:write'], instanceIds: ['cri-abc123'] },
  });
export type CreateApiKeyRequest = z.infer<typeof createApiKeyRequestSchema>;

export const apiKeySummarySchema = z
  .object({
    keyId: z.string(),
    name: z.string(),
    scopes: z.array(z.enum(SCOPES)),
    instanceIds: z.array(z.string()),
    createdAt: z.string(),
    status: z.enum(['active', 'revoked']),
    revokedAt: z.string().optional(),
  })
  .meta({ id: 'ApiKey' });
export type ApiKeySummary = z.infer<typeof apiKeySummarySchema>;

export const createdApiKeySchema = z
  .object({
    keyId: z.string(),
    apiKey: z.string().describe('The secret key. Shown once; only its hash is stored.'),
    name: z.string(),
    scopes: z.array(z.enum(SCOPES)),
    instanceIds: z.array(z.string()),
    createdAt: z.string(),
  })
  .meta({ id: 'CreatedApiKey' });

export const keyIdSchema = z.string().regex(KEY_ID_PATTERN, 'must match ^ak-[a-z0-9]{16}$');

export function formatApiKey(keyId: string, secret: string): string {
  return `rek_${keyId}_${secret}`;
}

/** The key id embedded in a presented key, or undefined if it is not one of ours. */
export function keyIdOf(presented: string): string | undefined {
  return API_KEY_PATTERN.exec(presented)?.[1];
}

export type Principal =
  | { kind: 'admin' }
  | { kind: 'key'; keyId: string; scopes: readonly Scope[]; instanceIds: readonly string[] };


export function hasScope(principal: Principal, scope: Scope): boolean {
  return principal.kind === 'admin' || principal.scopes.includes(scope);
}

export function canAccessInstance(principal: Principal, instanceId: string): boolean {
  return principal.kind === 'admin' || principal.instanceIds.includes('*') || principal.instanceIds.includes(instanceId);
}

