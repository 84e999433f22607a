/**
 * SPEC §11's mapping table, row by row, through the real native-ingest handler on DynamoDB
 * Local and the SQS emulator: the vendors' documented example payloads (test/fixtures/
 * sources, cited in its README) plus a hand-made variant per row, each checked in the
 * response (status, index, id) and in the recorded event's trace (type, status,
 * namespace/repo:tag, the source's name and the native payload as received).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEventsHandler } from '../../functions/events';
import { createRulesHandler } from '../../functions/rules';
import { createSourceEventsHandler } from '../../functions/sourceEvents';
import { createSourcesHandler } from '../../functions/sources';
import { ADMIN_KEY, testRuntime } from '../support/app';
import { createTestTable } from '../support/dynamo';
import type { TestTable } from '../support/dynamo';
import { bearer, call } from '../support/http';
import { createTestQueue } from '../support/queue';
import type { TestQueue } from '../support/queue';
import { fixture, makeSource, postNative, resultsOf } from '../support/sources';
import type { TestSource } from '../support/sources';

const INSTANCE = 'cri-srcmap01';
const PUSH = 'cr:Artifact:PushCompleted';
const SCAN = 'cr:Artifact:ScanCompleted';
const SYNC = 'cr:Artifact:SynchronizationCompleted';
const HARBOR_DIGEST = 'sha256:954b378c375d852eb3c63ab88978f640b4348b01c1b3456a024a81536dafbbf4';
const ECR_DIGEST = 'sha256:7f5b2640fe6fb4f46592dfd3410c4a79dac4f89e4782432e0378abcd1234';

let table: TestTable;
let queue: TestQueue;
let native: ReturnType<typeof createSourceEventsHandler>;
let events: ReturnType<typeof createEventsHandler>;
const sources: Record<'harbor' | 'distribution' | 'ecr' | 'acr', TestSource> = {} as Record<'harbor' | 'distribution' | 'ecr' | 'acr', TestSource>;
let digestRule: string;

interface Want {
  index: number;
  status: 'accepted' | 'ignored';
  eventId?: string | RegExp;
  type?: string;
  eventStatus?: string;
  namespace?: string;
  repoName?: string;
  tag?: string;
}

type Trace = { eventType: string; status: string; namespace: string; repoName: string; tag: string; event: Record<string, unknown>; source?: { sourceId: string; name: string; kind: string; index: number; payload: unknown } };

/** Posts `body`, checks each result against `want`, and each accepted event's trace; returns the results. */
async function expectMapping(kind: keyof typeof sources, body: unknown, want: Want[], payload: unknown = body, headers: Record<string, string> = {}) {
  const reply = await postNative(native, sources[kind], body, headers);
  expect(reply.status, reply.text).toBe(202);
  const results = resultsOf(reply);
  expect(results.map((r) => [r.index, r.status]), reply.text).toEqual(want.map((w) => [w.index, w.status]));
  for (const [i, w] of want.entries()) {
    const result = results[i];
    if (!result || w.status !== 'accepted') continue;
    if (w.eventId instanceof RegExp) expect(result.eventId).toMatch(w.eventId);
    else if (w.eventId !== undefined) expect(result.eventId).toBe(w.eventId);
    const trace = await call(events, { path: `/v1/events/${encodeURIComponent(result.eventId ?? '')}`, headers: bearer(ADMIN_KEY) });
    expect(trace.status, trace.text).toBe(200);
    const t = trace.json as Trace;
    expect({ type: t.eventType, status: t.status, namespace: t.namespace, repoName: t.repoName, tag: t.tag }).toEqual({
      type: w.type,
      status: w.eventStatus,
      namespace: w.namespace,
      repoName: w.repoName,
      tag: w.tag,
    });
    // The native payload as received (stored once per request), and which item of it this event is.
    expect(t.source).toEqual({ sourceId: sources[kind].sourceId, name: sources[kind].name, kind, index: w.index, payload });
    // The CloudEvent deliveries carry: this service's dialect, naming the source.
    expect(t.event).toMatchObject({ specversion: '1.0', id: result.eventId, type: w.type, data: { InstanceId: INSTANCE, RegionId: 'cn-hangzhou', RepoNamespaceName: w.namespace, RepoName: w.repoName, Tag: w.tag } });
  }
  return results;
}

beforeAll(async () => {
  table = await createTestTable('srcmap');
  queue = await createTestQueue();
  const rt = testRuntime(table, { env: queue.env });
  native = createSourceEventsHandler(rt);
  events = createEventsHandler(rt);
  const admin = createSourcesHandler(rt);
  for (const kind of ['harbor', 'distribution', 'ecr', 'acr'] as const) sources[kind] = await makeSource(admin, INSTANCE, { name: `${kind}-prod`, kind });
  const rules = createRulesHandler(rt);
  const made = await call(rules, {
    method: 'POST',
    path: `/v1/instances/${INSTANCE}/rules`,
    headers: bearer(ADMIN_KEY),
    body: { ruleName: 'digests', regionId: 'cn-hangzhou', eventTypes: [PUSH], scope: { type: 'INSTANCE' }, tagPattern: 'sha256:[0-9a-f]{64}', notify: { method: 'http', url: 'http://127.0.0.1:9/hook' } },
  });
  digestRule = (made.json as { ruleId: string }).ruleId;
});
afterAll(async () => {
  await queue.close();
  await table.drop();
});

describe('harbor', () => {
  const harborPush = { type: PUSH, eventStatus: 'SUCCESS', namespace: 'harbor', repoName: 'alpine', tag: HARBOR_DIGEST };

  it('PUSH_ARTIFACT (Default) → PushCompleted SUCCESS; project/repo:tag; id = payload hash + resource index', async () => {
    await expectMapping('harbor', fixture('harbor', 'default-push-artifact'), [
      { index: 0, status: 'accepted', eventId: /^harbor-[0-9a-f]{32}:0$/, type: PUSH, eventStatus: 'SUCCESS', namespace: 'test-webhook', repoName: 'debian', tag: 'latest' },
    ]);
  });

  it('PUSH_ARTIFACT by digest: the digest is the tag, and tag patterns match it like any tag', async () => {
    const [result] = await expectMapping('harbor', fixture('harbor', 'default-push-artifact-by-digest'), [{ index: 0, status: 'accepted', ...harborPush }]);
    expect(result?.matchedRuleIds).toEqual([digestRule]);
  });

  it('harbor.artifact.pushed (CloudEvents) → PushCompleted SUCCESS with Harbor\'s own id', async () => {
    await expectMapping('harbor', fixture('harbor', 'cloudevents-push-artifact'), [{ index: 0, status: 'accepted', eventId: '66e18103-09c1-41f6-982f-37df223f3eeb', ...harborPush }]);
  });

  it('one event per resource: each result has its resource index, ids carry it', async () => {
    const body = fixture('harbor', 'cloudevents-push-artifact');
    body.id = 'variant-two-resources';
    body.data = {
      repository: { name: 'api', namespace: 'team-a', repo_full_name: 'team-a/api' },
      resources: [
        { digest: HARBOR_DIGEST, tag: 'v1', resource_url: 'h/team-a/api:v1' },
        { digest: HARBOR_DIGEST, tag: 'v2', resource_url: 'h/team-a/api:v2' },
      ],
    };
    await expectMapping('harbor', body, [
      { index: 0, status: 'accepted', eventId: 'variant-two-resources:0', type: PUSH, eventStatus: 'SUCCESS', namespace: 'team-a', repoName: 'api', tag: 'v1' },
      { index: 1, status: 'accepted', eventId: 'variant-two-resources:1', type: PUSH, eventStatus: 'SUCCESS', namespace: 'team-a', repoName: 'api', tag: 'v2' },
    ]);
  });

  it('SCANNING_COMPLETED / harbor.scan.completed → ScanCompleted SUCCESS (no tag in the resource: its digest)', async () => {
    const scan = { type: SCAN, eventStatus: 'SUCCESS', namespace: 'harbor', repoName: 'alpine', tag: HARBOR_DIGEST };
    await expectMapping('harbor', fixture('harbor', 'default-scanning-completed'), [{ index: 0, status: 'accepted', ...scan }]);
    await expectMapping('harbor', fixture('harbor', 'cloudevents-scan-completed'), [{ index: 0, status: 'accepted', eventId: '64bce2fe-6159-454d-8389-852d01ef1e9d', ...scan }]);
  });

  it('a scanned resource with a tag keeps the tag', async () => {
    const body = fixture('harbor', 'default-scanning-completed');
    body.event_data = { repository: { name: 'api', namespace: 'team-a' }, resources: [{ digest: HARBOR_DIGEST, tag: 'v1.2.0' }] };
    await expectMapping('harbor', body, [{ index: 0, status: 'accepted', type: SCAN, eventStatus: 'SUCCESS', namespace: 'team-a', repoName: 'api', tag: 'v1.2.0' }]);
  });

  it('SCANNING_FAILED / harbor.scan.failed → ScanCompleted FAILED', async () => {
    const tag = 'sha256:dabea2944dcc2b86482b4f0b0fb62da80e0673e900c46c0e03b45919881a5d84';
    const failed = { type: SCAN, eventStatus: 'FAILED', namespace: 'harbor', repoName: 'alpine', tag };
    await expectMapping('harbor', fixture('harbor', 'default-scanning-failed'), [{ index: 0, status: 'accepted', ...failed }]);
    await expectMapping('harbor', fixture('harbor', 'cloudevents-scan-failed'), [{ index: 0, status: 'accepted', eventId: 'bdfe1de3-c069-4efc-b4f4-1a75c9a148c4', ...failed }]);
  });

  it('REPLICATION / harbor.replication.status.changed → SynchronizationCompleted; a whole-repository entry has tag *', async () => {
    const sync = { type: SYNC, eventStatus: 'SUCCESS', namespace: 'harbor', repoName: 'alpine', tag: '*' };
    await expectMapping('harbor', fixture('harbor', 'default-replication'), [{ index: 0, status: 'accepted', ...sync }]);
    await expectMapping('harbor', fixture('harbor', 'cloudevents-replication'), [{ index: 0, status: 'accepted', eventId: 'e3005250-ffa8-4a10-af92-91fe25cca22c', ...sync }]);
  });

  it('REPLICATION with tagged and failed artifacts: one event each, with its own final status; unfinished ones ignored', async () => {
    const body = fixture('harbor', 'cloudevents-replication');
    body.id = 'variant-replication';
    body.data = {
      replication: {
        job_status: 'Failed',
        dest_resource: { namespace: 'mirror' },
        successful_artifact: [{ type: 'image', status: 'Success', name_tag: 'alpine:3.8' }],
        failed_artifact: [
          { type: 'image', status: 'Failed', name_tag: 'busybox:1.36' },
          { type: 'image', status: 'Running', name_tag: 'nginx:1.27' },
        ],
      },
    };
    await expectMapping('harbor', body, [
      { index: 0, status: 'accepted', eventId: 'variant-replication:0', type: SYNC, eventStatus: 'SUCCESS', namespace: 'mirror', repoName: 'alpine', tag: '3.8' },
      { index: 1, status: 'accepted', eventId: 'variant-replication:1', type: SYNC, eventStatus: 'FAILED', namespace: 'mirror', repoName: 'busybox', tag: '1.36' },
      { index: 2, status: 'ignored' },
    ]);
  });

  it('a replication whose job is still running is ignored, entry by entry', async () => {
    const body = fixture('harbor', 'default-replication');
    const data = body.event_data as { replication: Record<string, unknown> };
    body.event_data = { replication: { ...data.replication, job_status: 'InProgress' } };
    await expectMapping('harbor', body, [{ index: 0, status: 'ignored' }]);
  });

  it.each([
    ['default-pull-artifact'],
    ['cloudevents-artifact-deleted'],
    ['default-scanning-stopped'],
    ['default-quota-exceed'],
    ['cloudevents-quota-warned'],
    ['default-tag-retention'],
  ])('%s → ignored (202, nothing recorded)', async (name) => {
    const results = await expectMapping('harbor', fixture('harbor', name), [{ index: 0, status: 'ignored' }]);
    expect(results[0]?.eventId).toBeUndefined();
  });
});

describe('distribution', () => {
  it('the documented envelope: the manifest push → PushCompleted (digest as tag, library/test); the layer pushes ignored', async () => {
    const body = fixture('distribution', 'envelope-push');
    await expectMapping(
      'distribution',
      body,
      [
        {
          index: 0,
          status: 'accepted',
          eventId: 'asdf-asdf-asdf-asdf-0',
          type: PUSH,
          eventStatus: 'SUCCESS',
          namespace: 'library',
          repoName: 'test',
          tag: 'sha256:fea8895f450959fa676bcc1df0611ea93823a735a01205fd8622846041d0c7cf',
        },
        { index: 1, status: 'ignored' },
        { index: 2, status: 'ignored' },
      ],
    );
  });

  it('a pull is ignored', async () => {
    await expectMapping('distribution', fixture('distribution', 'envelope-pull'), [{ index: 0, status: 'ignored' }]);
  });

  it('a push by tag of a slash-less repository → library/<repo>:<tag>; a nested path splits at the last /', async () => {
    const pull = (fixture('distribution', 'envelope-pull').events as Record<string, unknown>[])[0] ?? {};
    const target = pull.target as Record<string, unknown>;
    const first = { ...pull, id: 'variant-hello-world', action: 'push', target: { ...target, mediaType: 'application/vnd.oci.image.manifest.v1+json' } };
    const second = { ...pull, id: 'variant-nested', action: 'push', target: { ...target, repository: 'team/sub/api', tag: 'v2' } };
    await expectMapping(
      'distribution',
      { events: [first, second] },
      [
        { index: 0, status: 'accepted', eventId: 'variant-hello-world', type: PUSH, eventStatus: 'SUCCESS', namespace: 'library', repoName: 'hello-world', tag: 'latest' },
        { index: 1, status: 'accepted', eventId: 'variant-nested', type: PUSH, eventStatus: 'SUCCESS', namespace: 'team/sub', repoName: 'api', tag: 'v2' },
      ],
    );
  });

  it('without a media type, the URL tells a manifest push from a blob push', async () => {
    const [manifest, layer] = fixture('distribution', 'envelope-push').events as Record<string, unknown>[];
    const strip = (e: Record<string, unknown> | undefined, id: string) => {
      const { mediaType: _m, ...target } = (e?.target ?? {}) as Record<string, unknown>;
      return { ...e, id, target };
    };
    const entries = [strip(layer, 'variant-blob-url'), strip(manifest, 'variant-manifest-url')];
    await expectMapping(
      'distribution',
      { events: entries },
      [
        { index: 0, status: 'ignored' },
        { index: 1, status: 'accepted', eventId: 'variant-manifest-url', type: PUSH, eventStatus: 'SUCCESS', namespace: 'library', repoName: 'test', tag: 'sha256:fea8895f450959fa676bcc1df0611ea93823a735a01205fd8622846041d0c7cf' },
      ],
    );
  });
});

describe('ecr', () => {
  it('ECR Image Action PUSH SUCCESS → PushCompleted SUCCESS (slash-less repo → library), EventBridge id', async () => {
    await expectMapping('ecr', fixture('ecr', 'image-push'), [
      { index: 0, status: 'accepted', eventId: '13cde686-328b-6117-af20-0e5566167482', type: PUSH, eventStatus: 'SUCCESS', namespace: 'library', repoName: 'my-repository-name', tag: 'latest' },
    ]);
  });

  it('PUSH FAILED → PushCompleted FAILED; no image-tag → the digest; namespace from the path', async () => {
    const body = fixture('ecr', 'image-push');
    body.id = 'variant-ecr-failed';
    body.detail = { result: 'FAILED', 'repository-name': 'team-a/api', 'image-digest': ECR_DIGEST, 'action-type': 'PUSH' };
    await expectMapping('ecr', body, [{ index: 0, status: 'accepted', eventId: 'variant-ecr-failed', type: PUSH, eventStatus: 'FAILED', namespace: 'team-a', repoName: 'api', tag: ECR_DIGEST }]);
  });

  it('ECR Image Scan COMPLETE → ScanCompleted SUCCESS; no tags → the digest', async () => {
    await expectMapping('ecr', fixture('ecr', 'image-scan'), [
      { index: 0, status: 'accepted', eventId: '85fc3613-e913-7fc4-a80c-a3753e4aa9ae', type: SCAN, eventStatus: 'SUCCESS', namespace: 'library', repoName: 'my-repository-name', tag: ECR_DIGEST },
    ]);
  });

  it('scan FAILED → ScanCompleted FAILED, one event per tag, each repeating the item index', async () => {
    const body = fixture('ecr', 'image-scan');
    body.id = 'variant-ecr-scan';
    body.detail = { 'scan-status': 'FAILED', 'repository-name': 'team-a/api', 'image-digest': ECR_DIGEST, 'image-tags': ['v1', 'latest'] };
    await expectMapping('ecr', body, [
      { index: 0, status: 'accepted', eventId: 'variant-ecr-scan:0', type: SCAN, eventStatus: 'FAILED', namespace: 'team-a', repoName: 'api', tag: 'v1' },
      { index: 0, status: 'accepted', eventId: 'variant-ecr-scan:1', type: SCAN, eventStatus: 'FAILED', namespace: 'team-a', repoName: 'api', tag: 'latest' },
    ]);
  });

  it.each([['image-delete'], ['scan-resource-change']])('%s → ignored', async (name) => {
    await expectMapping('ecr', fixture('ecr', name), [{ index: 0, status: 'ignored' }]);
  });

  it('a scan still in progress is ignored', async () => {
    const body = fixture('ecr', 'image-scan');
    body.detail = { ...(body.detail as object), 'scan-status': 'IN_PROGRESS' };
    await expectMapping('ecr', body, [{ index: 0, status: 'ignored' }]);
  });
});

describe('acr', () => {
  const acrEvent = (id: string, type: string, data: Record<string, unknown>) => ({
    specversion: '1.0',
    id,
    source: 'acs.cr',
    type,
    time: '2026-11-20T08:00:00Z',
    data: { RepoNamespaceName: 'team-a', RepoName: 'api', Tag: 'v1.2.0', ...data },
  });

  it('ACR CloudEvents as POST /v1/events takes them; instance and region come from the source', async () => {
    const event = acrEvent('acr-push-1', PUSH, { PushStatus: 'SUCCESS' });
    await expectMapping('acr', event, [{ index: 0, status: 'accepted', eventId: 'acr-push-1', type: PUSH, eventStatus: 'SUCCESS', namespace: 'team-a', repoName: 'api', tag: 'v1.2.0' }]);
  });

  it('batch mode: one result per event, in order; unknown types ignored', async () => {
    const batch = [
      acrEvent('acr-batch-1', SCAN, { ScanStatus: 'failed', InstanceId: INSTANCE, RegionId: 'cn-hangzhou' }),
      acrEvent('acr-batch-2', 'cr:Artifact:PullCompleted', {}),
      acrEvent('acr-batch-3', PUSH, { Status: 'FAILED' }),
    ];
    await expectMapping(
      'acr',
      batch,
      [
        { index: 0, status: 'accepted', eventId: 'acr-batch-1', type: SCAN, eventStatus: 'FAILED', namespace: 'team-a', repoName: 'api', tag: 'v1.2.0' },
        { index: 1, status: 'ignored' },
        { index: 2, status: 'accepted', eventId: 'acr-batch-3', type: PUSH, eventStatus: 'FAILED', namespace: 'team-a', repoName: 'api', tag: 'v1.2.0' },
      ],
      batch,
      { 'content-type': 'application/cloudevents-batch+json' },
    );
  });

  it('binary mode', async () => {
    const data = { RepoNamespaceName: 'team-b', RepoName: 'web', Tag: 'v9', PushStatus: 'success' };
    await expectMapping(
      'acr',
      data,
      [{ index: 0, status: 'accepted', eventId: 'acr-binary-1', type: PUSH, eventStatus: 'SUCCESS', namespace: 'team-b', repoName: 'web', tag: 'v9' }],
      // Binary mode is kept in structured form: the ce-* attributes with the body as data.
      { specversion: '1.0', id: 'acr-binary-1', source: 'acs.cr', type: PUSH, datacontenttype: 'application/json', data },
      { 'ce-specversion': '1.0', 'ce-id': 'acr-binary-1', 'ce-source': 'acs.cr', 'ce-type': PUSH },
    );
  });
});
