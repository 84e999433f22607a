/**
 * CloudEvents 1.0 for registry events (SPEC §4 "Events (ingest)"): validation,
 * status normalisation and the canonical content hash used for de-duplication.
 * Pure: the HTTP content modes are mapped to one structured object before this.
 */
import { createHash } from 'node:crypto';
import * as z from 'zod/mini';
import { AppError, validationFailed } from './errors';
import type { ErrorDetail } from './errors';
import { isEventType, STATUS_FIELDS, statusesOf } from './eventTypes';
import type { EventStatus, EventType } from './eventTypes';
import { EVENT_ID_PATTERN, instanceIdSchema, ociNameSchema, regionIdSchema } from './names';
import { issuesToDetails } from './validation';
import type { EventOrigin } from './sources';

export const MAX_BATCH = 100;
/** OCI tag grammar. */
export const TAG_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;

const rfc3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/**
 * The schemas, built on first use: delivery and history import this module only for
 * eventIdentity and never build them (the ingest route builds them when it loads).
 */
function buildEventSchemas() {
  /** Attributes: required ones checked, extensions and unknown fields kept as received. */
  const envelope = z.looseObject({
    specversion: z.literal('1.0', { error: 'must be "1.0"' }),
    id: z.string().check(z.regex(EVENT_ID_PATTERN, 'must be 1–128 printable ASCII characters')),
    source: z.string().check(z.minLength(1), z.maxLength(1024)),
    type: z.string().check(z.minLength(1), z.maxLength(256)),
    time: z.optional(
      z.string().check(
        z.regex(rfc3339, 'must be an RFC 3339 timestamp'),
        z.refine((t) => !Number.isNaN(Date.parse(t)), 'must be a valid date'),
      ),
    ),
    datacontenttype: z.optional(z.string().check(z.maxLength(256))),
    subject: z.optional(z.string().check(z.maxLength(1024))),
  });
  const data = z.looseObject({
    InstanceId: instanceIdSchema,
    RegionId: regionIdSchema,
    RepoNamespaceName: ociNameSchema,
    RepoName: ociNameSchema,
    Tag: z.string().check(z.regex(TAG_PATTERN, 'must be an OCI tag: [A-Za-z0-9_][A-Za-z0-9._-]{0,127}')),
  });
  /** The whole structured event, as documented (ingest checks envelope and data separately). */
  const event = z.extend(envelope, { data }).check(
    z.meta({
      id: 'CloudEvent',
      description: 'A CloudEvent 1.0 (structured mode). Unknown extra fields are kept.',
      example: {
        specversion: '1.0',
        id: '9f1c5e2a-0d4e-4a8b-9a51-3c1f0e7b2d11',
        source: 'acs.cr',
        type: 'cr:Artifact:ScanCompleted',
        time: '2026-11-20T08:00:00Z',
        data: { InstanceId: 'cri-abc123', RegionId: 'cn-hangzhou', RepoNamespaceName: 'team-a', RepoName: 'api', Tag: 'v1.2.0', ScanStatus: 'SUCCESS' },
      },
    }),
  );
  return { envelope, data, event };
}

let eventSchemas: ReturnType<typeof buildEventSchemas> | undefined;

export function cloudEventSchemas(): ReturnType<typeof buildEventSchemas> {
  eventSchemas ??= buildEventSchemas();
  return eventSchemas;
}

/** What matching, recording and delivery need from an accepted event. */
export interface RegistryEvent {
  eventId: string;
  eventType: EventType;
  status: EventStatus;
  instanceId: string;
  regionId: string;
  namespace: string;
  repoName: string;
  tag: string;
  /** The event's `time`, or receipt time when absent. */
  time: string;
  /** The CloudEvent exactly as received (structured form). */
  raw: Record<string, unknown>;
  /** sha256 of the canonical JSON of `raw`: same id + same hash = duplicate. */
  hash: string;
  /** Set when a registry source (SPEC §11) produced the event from its native payload. */
  origin?: EventOrigin;
}

export const unsupportedEventType = (type: string): AppError =>
  new AppError('UnsupportedEventType', 400, `Event type ${type.slice(0, 256)} is not supported.`, {
    details: [{ path: 'type', message: 'not one of the cr:Artifact:*Completed types' }],
  });

/** JSON with object keys sorted at every level: the same content always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function contentHash(raw: unknown): string {
  return createHash('sha256').update(canonicalJson(raw)).digest('hex');
}

function statusOf(type: EventType, data: Record<string, unknown>): { status?: EventStatus; detail?: ErrorDetail } {
  const field = STATUS_FIELDS[type];
  const pick = data.Status !== undefined ? 'Status' : field;
  const value = data[pick];
  if (value === undefined) return { detail: { path: `data.${field}`, message: `required (data.Status or data.${field})` } };
  const allowed = statusesOf(type);
  const normalised = typeof value === 'string' ? value.trim().toUpperCase() : '';
  const status = allowed.find((s) => s === normalised);
  if (!status) return { detail: { path: `data.${pick}`, message: `must be one of ${allowed.join(', ')} (case-insensitive)` } };
  return { status };
}

/** Validates one structured CloudEvent; throws ValidationFailed or UnsupportedEventType. */
export function parseRegistryEvent(input: unknown, receivedAt: Date): RegistryEvent {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw validationFailed([{ path: '', message: 'must be a CloudEvent object' }]);
  }
  const schemas = cloudEventSchemas();
  const envelope = schemas.envelope.safeParse(input);
  const details = envelope.success ? [] : issuesToDetails(envelope.error.issues);
  const type = (input as { type?: unknown }).type;
  if (envelope.success && !isEventType(envelope.data.type)) throw unsupportedEventType(envelope.data.type);
  const data = schemas.data.safeParse((input as { data?: unknown }).data);
  if (!data.success) details.push(...issuesToDetails(data.error.issues, ['data']));
  let status: EventStatus | undefined;
  if (typeof type === 'string' && isEventType(type) && data.success) {
    const found = statusOf(type, data.data);
    if (found.detail) details.push(found.detail);
    status = found.status;
  }
  if (details.length > 0 || !envelope.success || !data.success || !status) {
    throw validationFailed(details.length > 0 ? details : [{ path: '', message: 'invalid CloudEvent' }]);
  }
  const raw = input as Record<string, unknown>;
  return {
    eventId: envelope.data.id,
    eventType: envelope.data.type as EventType,
    status,
    instanceId: data.data.InstanceId,
    regionId: data.data.RegionId,
    namespace: data.data.RepoNamespaceName,
    repoName: data.data.RepoName,
    tag: data.data.Tag,
    time: envelope.data.time ? new Date(envelope.data.time).toISOString() : receivedAt.toISOString(),
    raw,
    hash: contentHash(raw),
  };
}

export type EventIdentity = Pick<RegistryEvent, 'eventId' | 'eventType' | 'status' | 'instanceId' | 'regionId' | 'namespace' | 'repoName' | 'tag' | 'time'>;

/** The fields that name an event everywhere it is shown: history, traces, notifications. */
export function eventIdentity(event: EventIdentity): EventIdentity {
  const { eventId, eventType, status, instanceId, regionId, namespace, repoName, tag, time } = event;
  return { eventId, eventType, status, instanceId, regionId, namespace, repoName, tag, time };
}
