/**
 * SPEC §1 v2: `cr:Artifact:PushCompleted` (SUCCESS, FAILED) everywhere an event type
 * appears — rules, ingest (status from data.Status or data.PushStatus), matching, history
 * filters, templates — through the HTTP layer on DynamoDB Local and the SQS emulator.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEventsHandler } from '../../functions/events';
import { createIngestHandler } from '../../functions/ingest';
import { createRulesHandler } from '../../functions/rules';
import { renderNotification } from '../../shared/domain/dingtalk';
import { EVENT_TYPES } from '../../shared/domain/eventTypes';
import { ADMIN_KEY, testRuntime } from '../support/app';
import { createTestTable } from '../support/dynamo';
import type { TestTable } from '../support/dynamo';
import { bearer, call } from '../support/http';
import type { Reply } from '../support/http';
import { createTestQueue } from '../support/queue';
import type { TestQueue } from '../support/queue';

const INSTANCE = 'cri-push0001';
const PUSH = 'cr:Artifact:PushCompleted';
let table: TestTable;
let queue: TestQueue;
let rules: ReturnType<typeof createRulesHandler>;
let ingest: ReturnType<typeof createIngestHandler>;
let events: ReturnType<typeof createEventsHandler>;
let seq = 0;

const errorOf = (r: Reply) => (r.json as { error: { code: string; details?: { path: string; message: string }[] } }).error;

const rule = (body: Record<string, unknown>) =>
  call(rules, {
    method: 'POST',
    path: `/v1/instances/${INSTANCE}/rules`,
    headers: bearer(ADMIN_KEY),
    body: { regionId: 'cn-hangzhou', scope: { type: 'INSTANCE' }, notify: { method: 'http', url: 'http://127.0.0.1:9/hook' }, ...body },
  });

function pushEvent(data: Record<string, unknown>) {
  seq += 1;
  return {
    specversion: '1.0',
    id: `push-${Date.now()}-${seq}`,
    source: 'acs.cr',
    type: PUSH,
    time: '2026-11-20T08:00:00Z',
    data: { InstanceId: INSTANCE, RegionId: 'cn-hangzhou', RepoNamespaceName: 'team-a', RepoName: 'api', Tag: 'v1.2.0', ...data },
  };
}

const send = (event: unknown) => call(ingest, { method: 'POST', path: '/v1/events', headers: { ...bearer(ADMIN_KEY), 'content-type': 'application/cloudevents+json' }, body: event as object });

beforeAll(async () => {
  table = await createTestTable('push');
  queue = await createTestQueue();
  const rt = testRuntime(table, { env: queue.env });
  rules = createRulesHandler(rt);
  ingest = createIngestHandler(rt);
  events = createEventsHandler(rt);
});
afterAll(async () => {
  await queue.close();
  await table.drop();
});

describe('cr:Artifact:PushCompleted', () => {
  it('is one of six event types, with SUCCESS and FAILED', () => {
    expect(EVENT_TYPES).toHaveLength(6);
    expect(EVENT_TYPES).toContain(PUSH);
  });

  it('rules: accepted alone or with all six types; CANCELED is not one of its statuses', async () => {
    const alone = await rule({ ruleName: 'push-failed', eventTypes: [PUSH], eventStatuses: ['FAILED'] });
    expect(alone.status, alone.text).toBe(201);
    expect(alone.json).toMatchObject({ eventTypes: [PUSH], eventStatuses: ['FAILED'] });
    const all = await rule({ ruleName: 'all-six', eventTypes: [...EVENT_TYPES] });
    expect(all.status, all.text).toBe(201);
    const canceled = await rule({ ruleName: 'push-canceled', eventTypes: [PUSH], eventStatuses: ['CANCELED'] });
    expect(canceled.status).toBe(400);
    expect(errorOf(canceled).details?.[0]?.path).toBe('eventStatuses.0');
  });

  it('ingest reads data.PushStatus or data.Status (case-insensitive) and matches on it', async () => {
    const failedRule = (await rule({ ruleName: 'push-only-failed', eventTypes: [PUSH], eventStatuses: ['FAILED'] })).json as { ruleId: string };
    const failed = await send(pushEvent({ PushStatus: 'failed' }));
    expect(failed.status, failed.text).toBe(202);
    expect((failed.json as { matchedRuleIds: string[] }).matchedRuleIds).toContain(failedRule.ruleId);
    const ok = await send(pushEvent({ Status: 'Success' }));
    expect(ok.status, ok.text).toBe(202);
    expect((ok.json as { matchedRuleIds: string[] }).matchedRuleIds).not.toContain(failedRule.ruleId);
  });

  it('ingest refuses a missing or foreign status with the field named', async () => {
    const missing = await send(pushEvent({}));
    expect(missing.status).toBe(400);
    expect(errorOf(missing).details).toEqual([{ path: 'data.PushStatus', message: expect.stringContaining('data.Status or data.PushStatus') }]);
    const canceled = await send(pushEvent({ PushStatus: 'CANCELED' }));
    expect(canceled.status).toBe(400);
    expect(errorOf(canceled).details?.[0]?.path).toBe('data.PushStatus');
  });

  it('history filters by it', async () => {
    await send({ ...pushEvent({}), type: 'cr:Artifact:ScanCompleted', data: { ...pushEvent({}).data, ScanStatus: 'SUCCESS' } });
    const reply = await call(events, { path: `/v1/instances/${INSTANCE}/events`, headers: bearer(ADMIN_KEY), query: { eventType: PUSH } });
    expect(reply.status, reply.text).toBe(200);
    const listed = (reply.json as { events: { eventType: string }[] }).events;
    expect(listed.length).toBeGreaterThanOrEqual(2);
    expect(new Set(listed.map((e) => e.eventType))).toEqual(new Set([PUSH]));
    const bad = await call(events, { path: `/v1/instances/${INSTANCE}/events`, headers: bearer(ADMIN_KEY), query: { eventType: 'cr:Artifact:PullCompleted' } });
    expect(bad.status).toBe(400);
  });

  it('templates and the default DingTalk text name it', () => {
    const line = { eventId: 'e-1', eventType: PUSH, status: 'FAILED', instanceId: INSTANCE, regionId: 'cn-hangzhou', namespace: 'team-a', repoName: 'api', tag: 'v1', time: '2026-11-20T08:00:00Z', ruleName: 'r' };
    expect(renderNotification(line).text).toContain('PushCompleted');
    expect(renderNotification(line, '{{eventType}} {{status}}').text).toBe('cr:Artifact:PushCompleted FAILED');
  });
});
