/**
 * What the native dialects share: repository paths, tags and digests, and turning one
 * mapped item into a CloudEvent of this service (the event deliveries carry) with its
 * native payload kept beside it for the trace.
 */
import { createHash } from 'node:crypto';
import * as z from 'zod/mini';
import { canonicalJson, contentHash, TAG_PATTERN } from '../domain/cloudEvents';
import type { RegistryEvent } from '../domain/cloudEvents';
import { validationFailed } from '../domain/errors';
import type { ErrorDetail } from '../domain/errors';
import { STATUS_FIELDS } from '../domain/eventTypes';
import type { EventStatus, EventType } from '../domain/eventTypes';
import { EVENT_ID_PATTERN } from '../domain/names';
import { ingestUrlOf } from '../domain/sources';
import { issuesToDetails } from '../domain/validation';
import type { SourceContext } from './dialect';

const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
/** An OCI repository path: components joined by `/`. */
const OCI_PATH = new RegExp(`^${COMPONENT}(?:/${COMPONENT})*$`);
/**
 * An OCI digest (`algorithm:encoded`). The grammar, not a fixed length: the ECR user
 * guide's own example digests are shorter than 64 hex characters.
 */
export const DIGEST_PATTERN = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{1,256}$/;
/** A repository-level item that names no tag and no digest (a Harbor replication of a whole repository). */
export const WHOLE_REPOSITORY_TAG = '*';

/** The namespace for a repository path without a `/` (SPEC §11). */
export const DEFAULT_NAMESPACE = 'library';

/** `a/b/c` → namespace `a/b`, repo `c`; `c` → `library`, `c`. */
export function splitRepository(path: string): { namespace: string; repoName: string } {
  const cut = path.lastIndexOf('/');
  return cut < 0 ? { namespace: DEFAULT_NAMESPACE, repoName: path } : { namespace: path.slice(0, cut), repoName: path.slice(cut + 1) };
}

/** The tag, or the digest when there is none (the one place a tag may hold a `:`). */
export function tagOrDigest(tag: string | undefined | null, digest: string | undefined | null): string | undefined {
  if (typeof tag === 'string' && tag !== '') return tag;
  if (typeof digest === 'string' && digest !== '') return digest;
  return undefined;
}

/** A registry timestamp (RFC 3339, any precision) as this service's ISO time; undefined if it is none. */
export function isoTime(value: string): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/.test(value)) return undefined;
  // Date.parse takes at most millisecond precision reliably: trim longer fractions.
  const ms = Date.parse(value.replace(/(\.\d{3})\d+/, '$1'));
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

export const rfc3339String = z.string().check(z.refine((t) => isoTime(t) !== undefined, 'must be an RFC 3339 timestamp'));

/** The id of item `index` when one payload yields several events. */
export function itemId(id: string, index: number, several: boolean): string {
  return several ? `${id}:${index}` : id;
}

/** Harbor's Default format carries no id: a hash of the payload (+ the resource index). */
export function payloadHashId(prefix: string, payload: unknown): string {
  return `${prefix}-${createHash('sha256').update(canonicalJson(payload)).digest('hex').slice(0, 32)}`;
}

/** Parses `value` with `schema`, or throws ValidationFailed with paths under `prefix`. */
export function parseNative<T>(schema: z.core.$ZodType<T>, value: unknown, prefix: (string | number)[] = []): T {
  const result = z.safeParse(schema, value);
  if (!result.success) throw validationFailed(issuesToDetails(result.error.issues, prefix.map(String)), 'The body is not a well-formed webhook of this source kind.');
  return result.data;
}

export interface MappedEvent {
  /** The registry's own id (plus the item index where one payload yields several events). */
  id: string;
  type: EventType;
  status: EventStatus;
  namespace: string;
  repoName: string;
  tag: string;
  digest?: string | undefined;
  /** RFC 3339; the registry's time of the event. */
  time: string;
  /** The native item the event came from (the resource's payload, the envelope entry): part of its content hash. */
  item: unknown;
  /** Where in the native body this item is, for error details (`events.1`). */
  path: string;
}

function check(details: ErrorDetail[], ok: boolean, path: string, message: string) {
  if (!ok) details.push({ path, message });
}

/** One mapped item → a CloudEvent of this service, validated; throws ValidationFailed (400). */
export function sourceEvent(mapped: MappedEvent, context: SourceContext): RegistryEvent {
  const details: ErrorDetail[] = [];
  const at = (field: string) => (mapped.path === '' ? field : `${mapped.path}.${field}`);
  check(details, EVENT_ID_PATTERN.test(mapped.id), at('id'), 'must be 1–128 printable ASCII characters');
  check(details, mapped.namespace.length <= 255 && OCI_PATH.test(mapped.namespace), at('namespace'), 'must be an OCI repository path');
  check(details, mapped.repoName.length <= 255 && OCI_PATH.test(mapped.repoName), at('repository'), 'must be an OCI repository path');
  check(
    details,
    TAG_PATTERN.test(mapped.tag) || DIGEST_PATTERN.test(mapped.tag) || mapped.tag === WHOLE_REPOSITORY_TAG,
    at('tag'),
    'must be an OCI tag or a digest',
  );
  if (mapped.digest !== undefined) check(details, DIGEST_PATTERN.test(mapped.digest), at('digest'), 'must be an OCI digest (algorithm:hex)');
  const time = isoTime(mapped.time);
  check(details, time !== undefined, at('time'), 'must be an RFC 3339 timestamp');
  if (details.length > 0 || time === undefined) throw validationFailed(details, 'The body is not a well-formed webhook of this source kind.');

  const raw: Record<string, unknown> = {
    specversion: '1.0',
    id: mapped.id,
    source: ingestUrlOf(context.sourceId),
    type: mapped.type,
    time,
    datacontenttype: 'application/json',
    subject: `${mapped.namespace}/${mapped.repoName}:${mapped.tag}`,
    sourcekind: context.kind,
    data: {
      InstanceId: context.instanceId,
      RegionId: context.regionId,
      RepoNamespaceName: mapped.namespace,
      RepoName: mapped.repoName,
      Tag: mapped.tag,
      [STATUS_FIELDS[mapped.type]]: mapped.status,
      ...(mapped.digest !== undefined ? { Digest: mapped.digest } : {}),
    },
  };
  return {
    eventId: mapped.id,
    eventType: mapped.type,
    status: mapped.status,
    instanceId: context.instanceId,
    regionId: context.regionId,
    namespace: mapped.namespace,
    repoName: mapped.repoName,
    tag: mapped.tag,
    time,
    raw,
    // Same id + same event + same native item = a replay (duplicate); anything else conflicts.
    hash: contentHash({ event: raw, item: mapped.item }),
  };
}
