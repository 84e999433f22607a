/**
 * SPEC §13 end to end on real local parts (DynamoDB Local, the SQS emulator, loopback
 * receivers, the real deliver handler): a target that always answers 503 is suspended on
 * schedule, the alert receiver gets the notice, held deliveries are not attempted, and
 * resume delivers them (and the recovery is announced).
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIngestHandler } from '../../functions/ingest';
import { createRulesHandler } from '../../functions/rules';
import { createEventsHandler } from '../../functions/events';
import type { Attempt } from '../../shared/services/deliveryPorts';
import { ADMIN_KEY, testRuntime } from '../support/app';
import { createTestTable } from '../support/dynamo';
import type { TestTable } from '../support/dynamo';
import { bearer, call } from '../support/http';
import { createTestQueue } from '../support/queue';
import type { TestQueue } from '../support/queue';
import { startReceiver } from '../support/receiver';
import type { Receiver } from '../support/receiver';
import { startWorker, until } from '../support/worker';

const INSTANCE = 'cri-suspend01';
const SUSPEND_AFTER_SECONDS = 3;
const SUSPEND_MIN_ATTEMPTS = 4;
let table: TestTable;
let queue: TestQueue;
let target: Receiver;
let alerts: Receiver;
let rt: ReturnType<typeof testRuntime>;

beforeAll(async () => {
  table = await createTestTable('suspension');
  queue = await createTestQueue('suspension', { VisibilityTimeout: '2' });
  target = await startReceiver('/hook');
  alerts = await startReceiver('/alerts');
  rt = testRuntime(table, {
    env: {
      ...queue.env,
      RETRY_BASE_SECONDS: '1',
      RETRY_MAX_DELAY_SECONDS: '1',
      RETRY_MAX_ATTEMPTS: '1000',
      DELIVERY_TIMEOUT_MS: '600',
      SUSPEND_AFTER_SECONDS: String(SUSPEND_AFTER_SECONDS),
      SUSPEND_MIN_ATTEMPTS: String(SUSPEND_MIN_ATTEMPTS),
    },
  });
});
afterAll(async () => {
  await target.close();
  await alerts.close();
  await queue.close();
  await table.drop();
});

const rules = () => createRulesHandler(rt);
const api = (method: string, path: string, body?: object) => call(rules(), { method, path, headers: bearer(ADMIN_KEY), ...(body !== undefined ? { body } : {}) });

interface HealthBlock {
  state: string;
  consecutiveFailures: number;
  lastDeliveredAt?: string;
  lastFailureAt?: string;
  last24h: { delivered: number; failed: number; dead: number };
}
const healthOf = async (ruleId: string) => ((await api('GET', `/v1/instances/${INSTANCE}/rules/${ruleId}`)).json as { health: HealthBlock }).health;

async function ingest(repo: string, instanceId = INSTANCE) {
  const event = {
    specversion: '1.0',
    id: `evt-${Date.now()}-${Math.random().toString(36).slice(2)}`,
    source: 'acs.cr',
    type: 'cr:Artifact:BuildCompleted',
    data: { InstanceId: instanceId, RegionId: 'cn-hangzhou', RepoNamespaceName: 'ns', RepoName: repo, Tag: 'v1', BuildStatus: 'SUCCESS' },
  };
  const reply = await call(createIngestHandler(rt), { method: 'POST', path: '/v1/events', headers: { ...bearer(ADMIN_KEY), 'content-type': 'application/cloudevents+json' }, body: event });
  expect((reply.json as { matchedRuleIds: string[] }).matchedRuleIds).toHaveLength(1);
  return event;
}

const itemAt = async (key: { pk: string; sk: string }) => (await table.db.send(new GetCommand({ TableName: table.tableName, Key: key, ConsistentRead: true }))).Item;
const stateOf = async (eventId: string, ruleId: string, instanceId = INSTANCE) => rt.deliver.deliveries.get(eventId, ruleId, instanceId);
const noticesOf = (kind: string) => alerts.received.filter((r) => (JSON.parse(r.body) as { kind: string }).kind === kind);

describe('circuit breaker', () => {
  it('suspends a rule answered only by 503 on schedule, alerts, holds without attempting, and resume delivers what was held', async () => {
    const created = await api('POST', `/v1/instances/${INSTANCE}/rules`, {
      ruleName: 'always-503',
      regionId: 'cn-hangzhou',
      eventTypes: ['cr:Artifact:BuildCompleted'],
      scope: { type: 'INSTANCE' },
      notify: { method: 'http', url: target.url },
    });
    expect(created.status, created.text).toBe(201);
    const ruleId = (created.json as { ruleId: string; health: HealthBlock }).ruleId;
    expect((created.json as { health: HealthBlock }).health).toEqual({ state: 'healthy', consecutiveFailures: 0, last24h: { delivered: 0, failed: 0, dead: 0 } });

    const put = await api('PUT', `/v1/instances/${INSTANCE}/alerts`, { notify: { method: 'http', url: alerts.url } });
    expect(put.status, put.text).toBe(200);
    expect(put.json).toEqual({ notify: { method: 'http', url: alerts.url, secretSet: false } });

    target.script(...Array.from({ length: 1000 }, () => ({ status: 503 })));
    const first = await ingest('api');
    const worker = startWorker(rt, queue);
    try {
      // Failing first (one failed attempt at least), not yet suspended.
      const failing = await until('failing', async () => {
        const h = await healthOf(ruleId);
        return h.state === 'failing' ? h : undefined;
      }, 10_000);
      expect(failing.consecutiveFailures).toBeGreaterThan(0);

      await until('suspended', async () => (await healthOf(ruleId)).state === 'suspended', 20_000);
      const attempts = target.received.filter((r) => r.body.includes(first.id));
      const firstAttemptAt = attempts[0]?.at ?? 0;
      const notice = await until('the suspension notice', async () => noticesOf('rule.suspended')[0], 5_000);
      // On schedule: not before SUSPEND_AFTER_SECONDS of failures and SUSPEND_MIN_ATTEMPTS attempts.
      expect(notice.at - firstAttemptAt).toBeGreaterThanOrEqual(SUSPEND_AFTER_SECONDS * 1000 - 50);
      expect(attempts.length).toBeGreaterThanOrEqual(SUSPEND_MIN_ATTEMPTS);
      expect(JSON.parse(notice.body)).toMatchObject({ kind: 'rule.suspended', instanceId: INSTANCE, ruleId, ruleName: 'always-503' });
      expect(noticesOf('rule.suspended')).toHaveLength(1);

      // The delivery in its retry chain is held at its next message, no further attempt.
      await until('the first delivery held', async () => (await stateOf(first.id, ruleId))?.state === 'suspended', 10_000);
      const attemptsWhenHeld = target.received.filter((r) => r.body.includes(first.id)).length;

      // New deliveries are recorded and held, never attempted.
      const second = await ingest('web');
      const held = await until('the new delivery held', async () => {
        const d = await stateOf(second.id, ruleId);
        return d?.state === 'suspended' ? d : undefined;
      }, 10_000);
      expect(held.attempts).toEqual([]);
      const trace = await call(createEventsHandler(rt), { method: 'GET', path: `/v1/instances/${INSTANCE}/events/${second.id}`, headers: bearer(ADMIN_KEY) });
      expect((trace.json as { deliveries: { state: string }[] }).deliveries[0]?.state).toBe('suspended');
      // Give a held delivery every chance to be attempted: nothing reaches the target.
      await new Promise((r) => setTimeout(r, 2_000));
      expect(target.received.filter((r) => r.body.includes(second.id))).toHaveLength(0);
      expect(target.received.filter((r) => r.body.includes(first.id))).toHaveLength(attemptsWhenHeld);

      // Resume: the target answers again; both held deliveries are re-queued and delivered.
      target.unscript();
      const resumed = await api('POST', `/v1/instances/${INSTANCE}/rules/${ruleId}/resume`);
      expect(resumed.status, resumed.text).toBe(202);
      expect(resumed.json).toEqual({ requeued: 2 });
      for (const e of [first, second]) {
        const d = await until('delivered after resume', async () => {
          const s = await stateOf(e.id, ruleId);
          return s?.state === 'delivered' ? s : undefined;
        }, 15_000);
        expect((d.attempts as Attempt[]).at(-1)).toMatchObject({ outcome: 'delivered', httpStatus: 200 });
      }
      const recovered = await until('the recovery notice', async () => noticesOf('rule.recovered')[0], 5_000);
      expect(JSON.parse(recovered.body)).toMatchObject({ kind: 'rule.recovered', ruleId });
      expect(noticesOf('rule.recovered')).toHaveLength(1);
      const after = await healthOf(ruleId);
      expect(after).toMatchObject({ state: 'healthy', consecutiveFailures: 0, last24h: { delivered: 2, failed: 0, dead: 0 } });
      expect(after.lastDeliveredAt).toBeDefined();
      expect(after.lastFailureAt).toBeDefined();
      // A second resume finds nothing held.
      expect((await api('POST', `/v1/instances/${INSTANCE}/rules/${ruleId}/resume`)).json).toEqual({ requeued: 0 });
    } finally {
      await worker.stop();
    }
  }, 90_000);

  it('a held delivery past retention ends dead with the reason on resume', async () => {
    const created = await api('POST', `/v1/instances/${INSTANCE}/rules`, {
      ruleName: 'retention',
      regionId: 'cn-hangzhou',
      eventTypes: ['cr:Artifact:ScanCompleted'],
      scope: { type: 'INSTANCE' },
      notify: { method: 'http', url: target.url },
    });
    const ruleId = (created.json as { ruleId: string }).ruleId;
    const eventId = `evt-old-${Date.now()}`;
    const expiresAt = new Date(Date.now() - 1000).toISOString();
    await rt.deliver.deliveries.transition({ eventId, ruleId, instanceId: INSTANCE, expiresAt }, { state: 'suspended' });
    const reply = await api('POST', `/v1/instances/${INSTANCE}/rules/${ruleId}/resume`);
    expect(reply.json).toEqual({ requeued: 0 });
    const item = await itemAt({ pk: `EVENT#${eventId}`, sk: `DELIVERY#${ruleId}` });
    expect(item).toMatchObject({ state: 'dead', deadReason: 'event retention ended while its rule was suspended' });
    expect(item?.gsi3pk).toBeUndefined();
  });

  it('deleting a suspended rule ends what it holds dead with the reason', async () => {
    const created = await api('POST', `/v1/instances/${INSTANCE}/rules`, {
      ruleName: 'deleted-while-suspended',
      regionId: 'cn-hangzhou',
      eventTypes: ['cr:Artifact:DeliveryChainCompleted'],
      scope: { type: 'INSTANCE' },
      notify: { method: 'http', url: target.url },
    });
    const ruleId = (created.json as { ruleId: string }).ruleId;
    const eventId = `evt-held-deleted-${Date.now()}`;
    const expiresAt = new Date(Date.now() + 3_600_000).toISOString();
    await rt.deliver.deliveries.transition({ eventId, ruleId, instanceId: INSTANCE, expiresAt }, { state: 'suspended' });
    expect(await itemAt({ pk: `EVENT#${eventId}`, sk: `DELIVERY#${ruleId}` })).toMatchObject({ state: 'suspended' });
    expect((await api('DELETE', `/v1/instances/${INSTANCE}/rules/${ruleId}`)).status).toBe(204);
    const item = await itemAt({ pk: `EVENT#${eventId}`, sk: `DELIVERY#${ruleId}` });
    expect(item).toMatchObject({ state: 'dead', deadReason: 'the rule was deleted while it was suspended' });
    expect(item?.gsi3pk).toBeUndefined();
  });

  it('editing the rule\'s target resumes it: held deliveries are re-queued', async () => {
    const created = await api('POST', `/v1/instances/${INSTANCE}/rules`, {
      ruleName: 'moved-endpoint',
      regionId: 'cn-hangzhou',
      eventTypes: ['cr:Artifact:SigningCompleted'],
      scope: { type: 'INSTANCE' },
      notify: { method: 'http', url: target.url },
    });
    const ruleId = (created.json as { ruleId: string }).ruleId;
    const health = rt.deliver.ruleHealth;
    if (!health) throw new Error('the worker has no rule health wired');
    await health.health.record(INSTANCE, ruleId, { attempt: 'failed', at: new Date().toISOString() }, Date.now());
    expect(await health.health.suspend(INSTANCE, ruleId, new Date().toISOString(), 'test')).toBe(true);
    expect((await healthOf(ruleId)).state).toBe('suspended');
    const eventId = `evt-held-${Date.now()}`;
    const expiresAt = new Date(Date.now() + 3_600_000).toISOString();
    await rt.deliver.deliveries.transition({ eventId, ruleId, instanceId: INSTANCE, expiresAt }, { state: 'suspended' });
    const patched = await call(rules(), {
      method: 'PATCH',
      path: `/v1/instances/${INSTANCE}/rules/${ruleId}`,
      headers: bearer(ADMIN_KEY),
      body: { notify: { method: 'http', url: `${target.url}?moved=1` } },
    });
    expect(patched.status, patched.text).toBe(200);
    expect((patched.json as { health: HealthBlock }).health.state).toBe('healthy');
    expect(await itemAt({ pk: `EVENT#${eventId}`, sk: `DELIVERY#${ruleId}` })).toMatchObject({ state: 'pending' });
    // A PATCH that leaves the target alone does not resume.
    await health.health.record(INSTANCE, ruleId, { attempt: 'failed', at: new Date().toISOString() }, Date.now());
    await health.health.suspend(INSTANCE, ruleId, new Date().toISOString(), 'test');
    await call(rules(), { method: 'PATCH', path: `/v1/instances/${INSTANCE}/rules/${ruleId}`, headers: bearer(ADMIN_KEY), body: { enabled: true } });
    expect((await healthOf(ruleId)).state).toBe('suspended');
  });

  it('editing a suspended rule\'s target sends what it held to the new target, not the old one', async () => {
    const instanceId = 'cri-suspend02';
    const gone = await startReceiver('/gone');
    const fixed = await startReceiver('/fixed');
    const worker = startWorker(rt, queue);
    try {
      gone.script(...Array.from({ length: 1000 }, () => ({ status: 500 })));
      const created = await api('POST', `/v1/instances/${instanceId}/rules`, {
        ruleName: 'gone-endpoint',
        regionId: 'cn-hangzhou',
        eventTypes: ['cr:Artifact:BuildCompleted'],
        scope: { type: 'INSTANCE' },
        notify: { method: 'http', url: gone.url },
      });
      expect(created.status, created.text).toBe(201);
      const ruleId = (created.json as { ruleId: string }).ruleId;
      const first = await ingest('api', instanceId);
      await until('suspended', async () => ((await api('GET', `/v1/instances/${instanceId}/rules/${ruleId}`)).json as { health: HealthBlock }).health.state === 'suspended', 20_000);
      await until('the first delivery held', async () => (await stateOf(first.id, ruleId, instanceId))?.state === 'suspended', 10_000);
      const second = await ingest('web', instanceId);
      await until('the second delivery held', async () => (await stateOf(second.id, ruleId, instanceId))?.state === 'suspended', 10_000);
      const atGoneBeforeEdit = gone.received.length;

      const patched = await api('PATCH', `/v1/instances/${instanceId}/rules/${ruleId}`, { notify: { method: 'http', url: fixed.url } });
      expect(patched.status, patched.text).toBe(200);
      for (const e of [first, second]) {
        const d = await until('delivered at the new target', async () => {
          const s = await stateOf(e.id, ruleId, instanceId);
          return s?.state === 'delivered' ? s : undefined;
        }, 15_000);
        expect((d.attempts as Attempt[]).at(-1)).toMatchObject({ outcome: 'delivered', httpStatus: 200 });
        expect(d.notify).toEqual({ method: 'http', url: fixed.url });
        expect(fixed.received.filter((r) => r.body.includes(e.id))).toHaveLength(1);
      }
      // Nothing more reached the old target, and the trace names the new one.
      expect(gone.received).toHaveLength(atGoneBeforeEdit);
      const trace = await call(createEventsHandler(rt), { method: 'GET', path: `/v1/instances/${instanceId}/events/${second.id}`, headers: bearer(ADMIN_KEY) });
      expect((trace.json as { deliveries: { target: string; state: string }[] }).deliveries[0]).toMatchObject({ target: fixed.url, state: 'delivered' });
      const health = await until('healthy again', async () => {
        const h = ((await api('GET', `/v1/instances/${instanceId}/rules/${ruleId}`)).json as { health: HealthBlock }).health;
        return h.state === 'healthy' ? h : undefined;
      }, 5_000);
      expect(health).toMatchObject({ consecutiveFailures: 0, last24h: { delivered: 2 } });
    } finally {
      await worker.stop();
      await gone.close();
      await fixed.close();
    }
  }, 60_000);

  it('a plain resume sends what is held to the rule\'s current target, even one edited before the rule was suspended', async () => {
    const instanceId = 'cri-suspend03';
    const before = await startReceiver('/before');
    const now = await startReceiver('/now');
    try {
      const created = await api('POST', `/v1/instances/${instanceId}/rules`, {
        ruleName: 'edited-earlier',
        regionId: 'cn-hangzhou',
        eventTypes: ['cr:Artifact:BuildCompleted'],
        scope: { type: 'INSTANCE' },
        notify: { method: 'http', url: before.url },
      });
      const ruleId = (created.json as { ruleId: string }).ruleId;
      // Matched while the rule pointed at `before` (no worker yet: it waits, pending).
      const event = await ingest('api', instanceId);
      expect((await api('PATCH', `/v1/instances/${instanceId}/rules/${ruleId}`, { notify: { method: 'http', url: now.url } })).status).toBe(200);
      const health = rt.deliver.ruleHealth;
      if (!health) throw new Error('the worker has no rule health wired');
      await health.health.record(instanceId, ruleId, { attempt: 'failed', at: new Date().toISOString() }, Date.now());
      expect(await health.health.suspend(instanceId, ruleId, new Date().toISOString(), 'test')).toBe(true);
      expect((await stateOf(event.id, ruleId, instanceId))?.notify).toEqual({ method: 'http', url: before.url });
      const worker = startWorker(rt, queue);
      try {
        // Its queue message finds the rule suspended: held, not attempted.
        await until('held', async () => (await stateOf(event.id, ruleId, instanceId))?.state === 'suspended', 10_000);
        const resumed = await api('POST', `/v1/instances/${instanceId}/rules/${ruleId}/resume`);
        expect(resumed.json).toEqual({ requeued: 1 });
        await until('delivered', async () => (await stateOf(event.id, ruleId, instanceId))?.state === 'delivered', 15_000);
        expect(now.received.filter((r) => r.body.includes(event.id))).toHaveLength(1);
        expect(before.received.filter((r) => r.body.includes(event.id))).toHaveLength(0);
      } finally {
        await worker.stop();
      }
    } finally {
      await before.close();
      await now.close();
    }
  }, 40_000);

  it('resume of an unknown rule is 404 RuleNotFound; the alert target is masked, replaced and removed', async () => {
    const missing = await api('POST', `/v1/instances/${INSTANCE}/rules/crecr-0000000000000000/resume`);
    expect(missing.status).toBe(404);
    expect((missing.json as { error: { code: string } }).error.code).toBe('RuleNotFound');
    const instance = 'cri-alerts01';
    const put = await api('PUT', `/v1/instances/${instance}/alerts`, {
      notify: { method: 'dingtalk', webhookUrl: 'https://oapi.dingtalk.com/robot/send?access_token=abcdef123456', secret: 'SEC0123456789abcdef' },
    });
    expect(put.status, put.text).toBe(200);
    expect(put.json).toEqual({ notify: { method: 'dingtalk', webhookUrl: 'https://oapi.dingtalk.com/robot/send?access_token=****3456', secretSet: true } });
    expect(JSON.stringify(await itemAt({ pk: `INST#${instance}`, sk: 'ALERTS' }))).not.toContain('abcdef123456');
    expect((await api('GET', `/v1/instances/${instance}/alerts`)).json).toEqual(put.json);
    expect((await api('PUT', `/v1/instances/${instance}/alerts`, { notify: { method: 'ftp', url: 'x' } })).status).toBe(400);
    // Any chat method is an alert target, and reads back (masked) as it was saved.
    for (const notify of [
      { method: 'feishu', webhookUrl: 'https://open.feishu.cn/open-apis/bot/v2/hook/feishu-alert-0123', secret: 'feishu-alert-secret' },
      { method: 'wecom', webhookUrl: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=wecom-alert-0123' },
      { method: 'slack', webhookUrl: 'https://hooks.slack.com/services/T0ALERT/B0ALERT/slackalert0123' },
    ]) {
      const chat = await api('PUT', `/v1/instances/${instance}/alerts`, { notify });
      expect(chat.status, chat.text).toBe(200);
      expect((chat.json as { notify: { method: string } }).notify.method).toBe(notify.method);
      expect(chat.text).not.toContain('alert-0123');
      expect((await api('GET', `/v1/instances/${instance}/alerts`)).json).toEqual(chat.json);
    }
    expect((await api('DELETE', `/v1/instances/${instance}/alerts`)).status).toBe(204);
    const gone = await api('GET', `/v1/instances/${instance}/alerts`);
    expect(gone.status).toBe(404);
    expect((gone.json as { error: { code: string } }).error.code).toBe('AlertTargetNotFound');
    expect((await api('DELETE', `/v1/instances/${instance}/alerts`)).status).toBe(404);
  });
});
