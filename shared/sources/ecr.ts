/**
 * Amazon ECR through EventBridge (SPEC §11): the EventBridge envelope an API destination
 * posts (`{version, id, detail-type, source: "aws.ecr", time, detail}`).
 *
 *   ECR Image Action, action-type PUSH → PushCompleted (result SUCCESS / FAILED)
 *   ECR Image Scan                     → ScanCompleted (scan-status COMPLETE → SUCCESS,
 *                                        FAILED → FAILED), one event per image tag
 *   anything else (deletes, pull-through cache, replication, enhanced-scan changes) → ignored
 *
 * namespace/repo split at the last `/` of `repository-name` (`library` when there is
 * none); an image without a tag uses its digest. The event id is EventBridge's `id`, plus
 * the tag's index when one scan names several tags.
 */
import * as z from 'zod/mini';
import { EVENT_ID_PATTERN } from '../domain/names';
import type { EventStatus } from '../domain/eventTypes';
import type { SourceContext, SourceDialect, SourceItem } from './dialect';
import { itemId, parseNative, rfc3339String, sourceEvent, splitRepository, tagOrDigest } from './mapping';

const text = z.string().check(z.maxLength(1024));
const optionalText = z.optional(z.nullable(text));

const envelope = z.looseObject({
  id: z.string().check(z.regex(EVENT_ID_PATTERN, 'must be 1–128 printable ASCII characters')),
  'detail-type': z.string().check(z.minLength(1), z.maxLength(128)),
  source: z.string().check(z.maxLength(256)),
  time: rfc3339String,
  detail: z.record(z.string(), z.unknown()),
});

const imageAction = z.looseObject({
  'action-type': text,
  result: optionalText,
  'repository-name': z.string().check(z.minLength(1), z.maxLength(255)),
  'image-digest': optionalText,
  'image-tag': optionalText,
});

const imageScan = z.looseObject({
  'scan-status': text,
  'repository-name': z.string().check(z.minLength(1), z.maxLength(255)),
  'image-digest': optionalText,
  'image-tags': z.optional(z.nullable(z.array(text).check(z.maxLength(1000)))),
});

const PUSH_RESULTS: Readonly<Record<string, EventStatus>> = { SUCCESS: 'SUCCESS', FAILED: 'FAILED' };
const SCAN_STATUSES: Readonly<Record<string, EventStatus>> = { COMPLETE: 'SUCCESS', FAILED: 'FAILED' };

export const ecrDialect: SourceDialect = {
  kind: 'ecr',
  parse(body, context) {
    return { payload: body, items: itemsOf(body, context) };
  },
};

function itemsOf(body: unknown, context: SourceContext): SourceItem[] {
  const event = parseNative(envelope, body);
  const ignored = (reason: string): SourceItem[] => [{ index: 0, outcome: 'ignored', reason }];
  if (event.source !== 'aws.ecr') return ignored('not an aws.ecr event');

  if (event['detail-type'] === 'ECR Image Action') {
    const detail = parseNative(imageAction, event.detail, ['detail']);
    if (detail['action-type'] !== 'PUSH') return ignored(`action-type ${detail['action-type'].slice(0, 20)} is not mapped`);
    const status = PUSH_RESULTS[(detail.result ?? '').toUpperCase()];
    if (!status) return ignored('push result is not final');
    const { namespace, repoName } = splitRepository(detail['repository-name']);
    const mapped = sourceEvent(
      {
        id: event.id,
        type: 'cr:Artifact:PushCompleted',
        status,
        namespace,
        repoName,
        tag: tagOrDigest(detail['image-tag'], detail['image-digest']) ?? '',
        digest: detail['image-digest'] ?? undefined,
        time: event.time,
        item: body,
        path: 'detail',
      },
      context,
    );
    return [{ index: 0, outcome: 'event', event: mapped }];
  }

  if (event['detail-type'] === 'ECR Image Scan') {
    const detail = parseNative(imageScan, event.detail, ['detail']);
    const status = SCAN_STATUSES[detail['scan-status'].toUpperCase()];
    if (!status) return ignored('scan status is not final');
    const { namespace, repoName } = splitRepository(detail['repository-name']);
    const tags = (detail['image-tags'] ?? []).filter((t) => t !== '');
    const named = tags.length > 0 ? tags : [tagOrDigest(undefined, detail['image-digest']) ?? ''];
    return named.map((tag, tagIndex) => ({
      index: 0,
      outcome: 'event' as const,
      event: sourceEvent(
        {
          id: itemId(event.id, tagIndex, named.length > 1),
          type: 'cr:Artifact:ScanCompleted',
          status,
          namespace,
          repoName,
          tag,
          digest: detail['image-digest'] ?? undefined,
          time: event.time,
          item: body,
          path: tags.length > 0 ? `detail.image-tags.${tagIndex}` : 'detail',
        },
        context,
      ),
    }));
  }
  return ignored(`${event['detail-type'].slice(0, 40)} is not mapped`);
}
