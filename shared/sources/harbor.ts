/**
 * Harbor webhooks (SPEC §11), in both payload formats a Harbor HTTP webhook offers:
 * "Default" (`{type, occur_at, operator, event_data}`) and "CloudEvents"
 * (`{specversion, id, type: "harbor.*", time, data}`, `data` shaped like `event_data`).
 *
 *   PUSH_ARTIFACT / harbor.artifact.pushed          → PushCompleted SUCCESS, one per resource
 *   SCANNING_COMPLETED / harbor.scan.completed      → ScanCompleted SUCCESS, one per resource
 *   SCANNING_FAILED / harbor.scan.failed            → ScanCompleted FAILED, one per resource
 *   REPLICATION / harbor.replication.status.changed → SynchronizationCompleted, one per replicated
 *                                                     artifact entry, with its final status (once
 *                                                     the job's status is final)
 *   anything else (pulls, deletes, quota, scan stopped, tag retention) → ignored
 *
 * Namespace = the project, repo = the repository name, tag = the resource's tag (its
 * digest when it has none). Default-format payloads carry no id, so theirs is a hash of
 * the payload plus the resource index.
 */
import * as z from 'zod/mini';
import { validationFailed } from '../domain/errors';
import { EVENT_ID_PATTERN } from '../domain/names';
import type { EventStatus, EventType } from '../domain/eventTypes';
import type { SourceContext, SourceDialect, SourceItem } from './dialect';
import {
  DEFAULT_NAMESPACE,
  itemId,
  parseNative,
  payloadHashId,
  rfc3339String,
  sourceEvent,
  splitRepository,
  tagOrDigest,
  WHOLE_REPOSITORY_TAG,
} from './mapping';

type Mapping = { kind: 'artifact'; type: EventType; status: EventStatus } | { kind: 'replication' };

const DEFAULT_TYPES: Readonly<Record<string, Mapping>> = {
  PUSH_ARTIFACT: { kind: 'artifact', type: 'cr:Artifact:PushCompleted', status: 'SUCCESS' },
  SCANNING_COMPLETED: { kind: 'artifact', type: 'cr:Artifact:ScanCompleted', status: 'SUCCESS' },
  SCANNING_FAILED: { kind: 'artifact', type: 'cr:Artifact:ScanCompleted', status: 'FAILED' },
  REPLICATION: { kind: 'replication' },
};

const CLOUD_EVENT_TYPES: Readonly<Record<string, Mapping>> = {
  'harbor.artifact.pushed': { kind: 'artifact', type: 'cr:Artifact:PushCompleted', status: 'SUCCESS' },
  'harbor.scan.completed': { kind: 'artifact', type: 'cr:Artifact:ScanCompleted', status: 'SUCCESS' },
  'harbor.scan.failed': { kind: 'artifact', type: 'cr:Artifact:ScanCompleted', status: 'FAILED' },
  'harbor.replication.status.changed': { kind: 'replication' },
};

const text = z.string().check(z.maxLength(1024));
const optionalText = z.optional(z.nullable(text));

const defaultEnvelope = z.looseObject({
  type: z.string().check(z.minLength(1), z.maxLength(128)),
  occur_at: z.number().check(z.int(), z.minimum(0), z.maximum(253_402_300_799)),
  event_data: z.record(z.string(), z.unknown()),
});

const cloudEventEnvelope = z.looseObject({
  specversion: z.literal('1.0', { error: 'must be "1.0"' }),
  id: z.string().check(z.regex(EVENT_ID_PATTERN, 'must be 1–128 printable ASCII characters')),
  type: z.string().check(z.minLength(1), z.maxLength(256)),
  time: rfc3339String,
  data: z.optional(z.nullable(z.record(z.string(), z.unknown()))),
});

const artifactData = z.looseObject({
  resources: z.array(z.looseObject({ digest: optionalText, tag: optionalText })).check(z.minLength(1), z.maxLength(1000)),
  repository: z.looseObject({ name: text, namespace: text }),
});

const artifactEntry = z.looseObject({ status: optionalText, name_tag: text });
const replicationData = z.looseObject({
  replication: z.looseObject({
    job_status: optionalText,
    src_resource: z.optional(z.nullable(z.looseObject({ namespace: optionalText }))),
    dest_resource: z.optional(z.nullable(z.looseObject({ namespace: optionalText }))),
    successful_artifact: z.optional(z.nullable(z.array(artifactEntry).check(z.maxLength(1000)))),
    failed_artifact: z.optional(z.nullable(z.array(artifactEntry).check(z.maxLength(1000)))),
  }),
});

/** Harbor's job and task statuses → this service's final statuses; undefined while not final. */
export function finalStatus(value: string | null | undefined): EventStatus | undefined {
  const v = (value ?? '').trim().toLowerCase();
  if (['success', 'succeed', 'succeeded'].includes(v)) return 'SUCCESS';
  if (['failed', 'failure', 'error'].includes(v)) return 'FAILED';
  if (['stopped', 'canceled', 'cancelled'].includes(v)) return 'CANCELED';
  return undefined;
}

/** `alpine:3.8`, `team/api@sha256:…`, or `alpine [1 item(s) in total]` (a whole repository). */
export function parseNameTag(nameTag: string): { repository: string; tag: string } {
  const name = nameTag.replace(/\s*\[\d+\s+item\(s\)\s+in\s+total\]\s*$/, '').trim();
  const at = name.indexOf('@');
  if (at >= 0) return { repository: name.slice(0, at), tag: name.slice(at + 1) };
  const colon = name.lastIndexOf(':');
  if (colon > name.lastIndexOf('/')) return { repository: name.slice(0, colon), tag: name.slice(colon + 1) };
  return { repository: name, tag: WHOLE_REPOSITORY_TAG };
}

interface Envelope {
  mapping: Mapping | undefined;
  data: Record<string, unknown>;
  dataPath: string;
  /** The event id before the item index. */
  baseId: string;
  /** Default-format ids always carry the index; CloudEvents ids only when the payload yields several events. */
  alwaysIndexed: boolean;
  time: string;
}

function envelopeOf(body: unknown): Envelope {
  if (body !== null && typeof body === 'object' && !Array.isArray(body) && 'specversion' in body) {
    const event = parseNative(cloudEventEnvelope, body);
    return { mapping: CLOUD_EVENT_TYPES[event.type], data: event.data ?? {}, dataPath: 'data', baseId: event.id, alwaysIndexed: false, time: event.time };
  }
  const event = parseNative(defaultEnvelope, body);
  return {
    mapping: DEFAULT_TYPES[event.type],
    data: event.event_data,
    dataPath: 'event_data',
    baseId: payloadHashId('harbor', body),
    alwaysIndexed: true,
    time: new Date(event.occur_at * 1000).toISOString(),
  };
}

function ignoredResources(data: Record<string, unknown>, reason: string): SourceItem[] {
  const count = Array.isArray(data.resources) && data.resources.length > 0 ? Math.min(data.resources.length, 1000) : 1;
  return Array.from({ length: count }, (_, index) => ({ index, outcome: 'ignored' as const, reason }));
}

function artifactItems(envelope: Envelope, mapping: Extract<Mapping, { kind: 'artifact' }>, body: unknown, context: SourceContext): SourceItem[] {
  const data = parseNative(artifactData, envelope.data, [envelope.dataPath]);
  const several = envelope.alwaysIndexed || data.resources.length > 1;
  return data.resources.map((resource, index) => {
    const path = `${envelope.dataPath}.resources.${index}`;
    const tag = tagOrDigest(resource.tag, resource.digest);
    if (tag === undefined) throw validationFailed([{ path: `${path}.tag`, message: 'a resource needs a tag or a digest' }], 'The body is not a well-formed webhook of this source kind.');
    const event = sourceEvent(
      {
        id: itemId(envelope.baseId, index, several),
        type: mapping.type,
        status: mapping.status,
        namespace: data.repository.namespace,
        repoName: data.repository.name,
        tag: tag ?? '',
        digest: resource.digest ?? undefined,
        time: envelope.time,
        item: body,
        path,
      },
      context,
    );
    return { index, outcome: 'event' as const, event };
  });
}

function replicationItems(envelope: Envelope, body: unknown, context: SourceContext): SourceItem[] {
  const { replication } = parseNative(replicationData, envelope.data, [envelope.dataPath]);
  const entries = [
    ...(replication.successful_artifact ?? []).map((entry, i) => ({ entry, fallback: 'SUCCESS' as const, path: `successful_artifact.${i}` })),
    ...(replication.failed_artifact ?? []).map((entry, i) => ({ entry, fallback: 'FAILED' as const, path: `failed_artifact.${i}` })),
  ];
  if (entries.length === 0) return [{ index: 0, outcome: 'ignored', reason: 'replication without artifacts' }];
  // Only a finished replication is a SynchronizationCompleted; its artifacts each carry their own outcome.
  if (replication.job_status && !finalStatus(replication.job_status)) {
    return entries.map((_, index) => ({ index, outcome: 'ignored', reason: 'replication not finished' }));
  }
  const project = replication.dest_resource?.namespace || replication.src_resource?.namespace || undefined;
  const several = envelope.alwaysIndexed || entries.length > 1;
  return entries.map(({ entry, fallback, path }, index): SourceItem => {
    const status = entry.status ? finalStatus(entry.status) : fallback;
    if (!status) return { index, outcome: 'ignored', reason: `replication status ${String(entry.status).slice(0, 40)} is not final` };
    const named = parseNameTag(entry.name_tag);
    // The project the artifact was replicated into is the namespace; a bare name keeps only its last segment.
    const repo = project ? { namespace: project, repoName: named.repository.split('/').pop() ?? '' } : splitRepository(named.repository);
    const event = sourceEvent(
      {
        id: itemId(envelope.baseId, index, several),
        type: 'cr:Artifact:SynchronizationCompleted',
        status,
        namespace: repo.namespace || DEFAULT_NAMESPACE,
        repoName: repo.repoName,
        tag: named.tag,
        time: envelope.time,
        item: body,
        path: `${envelope.dataPath}.replication.${path}`,
      },
      context,
    );
    return { index, outcome: 'event', event };
  });
}

export const harborDialect: SourceDialect = {
  kind: 'harbor',
  parse(body, context) {
    const envelope = envelopeOf(body);
    const mapping = envelope.mapping;
    if (!mapping) return { payload: body, items: ignoredResources(envelope.data, 'not an event type this service maps') };
    const items = mapping.kind === 'replication' ? replicationItems(envelope, body, context) : artifactItems(envelope, mapping, body, context);
    return { payload: body, items };
  },
};
