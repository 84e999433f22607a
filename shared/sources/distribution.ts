/**
 * CNCF Distribution notifications (SPEC §11): an envelope `{"events":[...]}` of unrelated
 * events. A `push` whose target is a manifest (not a layer or config blob) →
 * PushCompleted SUCCESS; namespace/repo split at the last `/` of `target.repository`
 * (`library` when there is none); tag = `target.tag`, or the digest when the push named
 * none. Pulls, mounts, deletes and blob pushes are ignored. Each entry's own `id` is the
 * event id, and the entry (not the whole envelope, which only groups unrelated events)
 * is the native payload kept for the trace.
 */
import * as z from 'zod/mini';
import { EVENT_ID_PATTERN } from '../domain/names';
import type { SourceDialect, SourceItem } from './dialect';
import { parseNative, rfc3339String, sourceEvent, splitRepository, tagOrDigest } from './mapping';

/** Manifest and index media types (Docker v2 schema 1/2, OCI); everything else a push can name is a blob. */
const MANIFEST_MEDIA_TYPES = new Set([
  'application/vnd.docker.distribution.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v1+prettyjws',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.artifact.manifest.v1+json',
]);

export function isManifestTarget(target: { mediaType?: string | null | undefined; url?: string | null | undefined }): boolean {
  if (target.mediaType) return MANIFEST_MEDIA_TYPES.has(target.mediaType.split(';')[0]?.trim().toLowerCase() ?? '');
  // Without a media type, the URL says which API the push went through.
  return typeof target.url === 'string' && target.url.includes('/manifests/');
}

const optionalText = z.optional(z.nullable(z.string().check(z.maxLength(2048))));
const envelope = z.looseObject({
  events: z.array(z.looseObject({ action: z.string().check(z.maxLength(64)) })).check(z.maxLength(1000)),
});
const pushEvent = z.looseObject({
  id: z.string().check(z.regex(EVENT_ID_PATTERN, 'must be 1–128 printable ASCII characters')),
  timestamp: rfc3339String,
  target: z.looseObject({
    mediaType: optionalText,
    digest: optionalText,
    repository: z.string().check(z.minLength(1), z.maxLength(255)),
    tag: optionalText,
    url: optionalText,
  }),
});

export const distributionDialect: SourceDialect = {
  kind: 'distribution',
  parse(body, context) {
    const { events } = parseNative(envelope, body);
    const items = events.map((entry, index): SourceItem => {
      if (entry.action !== 'push') return { index, outcome: 'ignored', reason: `${entry.action.slice(0, 20)} events are not mapped` };
      const push = parseNative(pushEvent, entry, ['events', index]);
      if (!isManifestTarget(push.target)) return { index, outcome: 'ignored', reason: 'a layer or blob push' };
      const tag = tagOrDigest(push.target.tag, push.target.digest);
      const { namespace, repoName } = splitRepository(push.target.repository);
      const event = sourceEvent(
        {
          id: push.id,
          type: 'cr:Artifact:PushCompleted',
          status: 'SUCCESS',
          namespace,
          repoName,
          tag: tag ?? '',
          digest: push.target.digest ?? undefined,
          time: push.timestamp,
          item: entry,
          path: `events.${index}.target`,
        },
        context,
      );
      return { index, outcome: 'event', event };
    });
    // The whole envelope is kept; each event's `index` says which entry it came from.
    return { payload: body, items };
  },
};
