/** Who may call: API keys (`APIKEY#id`), console sessions (`SESSION#hash`); and registry sources (`SOURCE#id`) with their payloads. */
import * as z from 'zod/mini';
import { SCOPES } from '../../../domain/apiKeys';
import { SOURCE_KINDS } from '../../../domain/sources';
import type { ApiKeyRecord } from '../../../services/apiKeyPorts';
import type { SessionRecord } from '../../../services/sessions';
import type { SourceRecord, StoredPayload } from '../../../services/sourcePorts';
import { epochSeconds } from './common';
import { corruptItem, decode } from './decode';
import { keys } from './keys';

const apiKeySchema = z.object({
  keyId: z.string(),
  name: z.string(),
  scopes: z.optional(z.array(z.enum(SCOPES))),
  instanceIds: z.optional(z.array(z.string())),
  keyHash: z.string(),
  createdAt: z.string(),
  revokedAt: z.optional(z.string()),
});

/** An API key (only the SHA-256 of the key), listed on gsi1. */
export const apiKeyToItem = (record: ApiKeyRecord) => ({ ...keys.apiKey(record.keyId), ...keys.apiKeyListing(record.createdAt, record.keyId), type: 'apiKey', ...record });

export function apiKeyFromItem(item: Record<string, unknown>): ApiKeyRecord {
  const { scopes, instanceIds, revokedAt, ...rest } = decode(apiKeySchema, 'API key', item, item);
  return { ...rest, scopes: scopes ?? [], instanceIds: instanceIds ?? [], ...(revokedAt !== undefined ? { revokedAt } : {}) };
}

const sessionSchema = z.object({
  subjectKind: z.enum(['admin', 'key']),
  adminDigest: z.optional(z.string()),
  keyId: z.optional(z.string()),
  createdAt: z.string(),
  expiresAt: z.string(),
});

/** A console session, by the SHA-256 of its token; swept by TTL at its expiry. */
export function sessionToItem(record: SessionRecord) {
  const { subject } = record;
  return {
    ...keys.session(record.tokenHash),
    type: 'session',
    subjectKind: subject.kind,
    ...(subject.kind === 'admin' ? { adminDigest: subject.adminDigest } : { keyId: subject.keyId }),
    createdAt: record.createdAt,
    expiresAt: record.expiresAt,
    ttl: Math.ceil(Date.parse(record.expiresAt) / 1000),
  };
}

export function sessionFromItem(tokenHash: string, item: Record<string, unknown>): SessionRecord {
  const stored = decode(sessionSchema, 'session', item, item);
  const subject =
    stored.subjectKind === 'admin'
      ? stored.adminDigest !== undefined
        ? { kind: 'admin' as const, adminDigest: stored.adminDigest }
        : undefined
      : stored.keyId !== undefined
        ? { kind: 'key' as const, keyId: stored.keyId }
        : undefined;
  if (!subject) throw corruptItem('session', item, `${stored.subjectKind} session without its subject`);
  return { tokenHash, subject, createdAt: stored.createdAt, expiresAt: stored.expiresAt };
}

const sourceSchema = z.object({
  sourceId: z.string(),
  instanceId: z.string(),
  name: z.string(),
  kind: z.enum(SOURCE_KINDS),
  regionId: z.string(),
  tokenHash: z.string(),
  createdAt: z.string(),
});

/** A registry source (only the SHA-256 of its token), listed per instance on gsi1. */
export const sourceToItem = (record: SourceRecord) => ({
  ...keys.source(record.sourceId),
  ...keys.sourceListing(record.instanceId, record.createdAt, record.sourceId),
  type: 'source',
  ...record,
});
/** A source of a kind this version does not speak reads as none (as it always has); anything else malformed is corrupt. */
export function sourceFromItem(item: Record<string, unknown>): SourceRecord | undefined {
  if (!SOURCE_KINDS.some((kind) => kind === item.kind)) return undefined;
  return decode(sourceSchema, 'source', item, item);
}

const payloadSchema = z.object({ json: z.string(), expiresAt: z.string() });

/** A source's native payload, kept as long as the events it yielded (TTL). */
export const payloadToItem = (payloadId: string, payload: StoredPayload) => ({
  ...keys.sourcePayload(payloadId),
  type: 'sourcePayload',
  json: payload.json,
  expiresAt: payload.expiresAt,
  ttl: epochSeconds(payload.expiresAt),
});
export const payloadFromItem = (item: Record<string, unknown>): StoredPayload => decode(payloadSchema, 'source payload', item, item);
