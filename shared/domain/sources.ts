/**
 * Registry sources (SPEC §11): a source turns one registry's native webhooks into this
 * service's events for one instance and region. Ids, the token format and the create
 * request. Pure: hashing and randomness live in the service.
 */
import * as z from 'zod/mini';
import { regionIdSchema } from './names';

import { SOURCE_KINDS } from './sourceKinds';
import type { SourceKind } from './sourceKinds';

export { SOURCE_KINDS };
export type { SourceKind };

export const SOURCE_ID_PATTERN = /^src-[a-z0-9]{16}$/;
/** `rst_` + source id + `_` + 43 base64url characters (32 random bytes). */
const SOURCE_TOKEN_PATTERN = /^rst_(src-[a-z0-9]{16})_[A-Za-z0-9_-]{43}$/;

export function formatSourceToken(sourceId: string, secret: string): string {
  return `rst_${sourceId}_${secret}`;
}

/** The source id embedded in a presented token, or undefined if it is not a source token. */
export function sourceIdOfToken(presented: string): string | undefined {
  return SOURCE_TOKEN_PATTERN.exec(presented)?.[1];
}

export const ingestUrlOf = (sourceId: string) => `/v1/sources/${sourceId}/events`;

/**
 * Where an event came from when a source produced it, shown in its trace. The native
 * payload is stored once per request (not once per event: one Harbor payload or one
 * Distribution envelope can yield hundreds of events) and referenced by `payloadId`.
 */
export interface EventOrigin {
  sourceId: string;
  name: string;
  kind: SourceKind;
  /** The item's position in the native payload (SPEC §11 `index`). */
  index: number;
  payloadId: string;
}

/** What a source is, as read back (never the token). Documented by shared/http/responseSchemas.ts. */
export interface SourceView {
  sourceId: string;
  name: string;
  kind: SourceKind;
  regionId: string;
  instanceId: string;
  ingestUrl: string;
  createdAt: string;
}

export const sourceIdSchema = z.string().check(z.regex(SOURCE_ID_PATTERN, 'must match ^src-[a-z0-9]{16}$'));

export const createSourceRequestSchema = z
  .strictObject({
    name: z.string().check(z.regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'must match ^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$')),
    kind: z.enum(SOURCE_KINDS),
    regionId: regionIdSchema,
  })
  .check(z.meta({ id: 'CreateSourceRequest', example: { name: 'harbor-prod', kind: 'harbor', regionId: 'cn-hangzhou' } }));
export type CreateSourceRequest = z.infer<typeof createSourceRequestSchema>;
