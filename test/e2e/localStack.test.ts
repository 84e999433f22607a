/**
 * The running local stack, end to end over real HTTP: health, API keys, 401/403,
 * 404/405, revocation, no key in any response or log line, Ctrl-C, and a restart
 * after a crash (SIGKILL) that needs no manual cleanup and keeps the data.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunningStack } from '../support/localStack';
import { stackPorts, startStack } from '../support/localStack';
import { alive } from '../../local/processes';
import { startReceiver } from '../support/receiver';
import { startDingTalkServer } from '../support/dingtalkServer';
import { fixture } from '../support/sources';

const ADMIN = 'e2e-admin-key-0123456789abcdef';
const dataDir = mkdtempSync(join(tmpdir(), 'registry-events-e2e-'));
let stack: RunningStack | undefined;

afterAll(async () => {
  if (stack && stack.child.exitCode === null) {
    stack.child.kill('SIGINT');
    await stack.exited;
  }
  rmSync(dataDir, { recursive: true, force: true });
});


const transcript: { request: string; text: string }[] = [];

async function api(base: string, method: string, path: string, key?: string, body?: unknown) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(key ? { authorization: `Bearer ${key}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  // Every response, headers included, goes into the transcript the leak audit scans.
  transcript.push({ request: `${method} ${path}`, text: `${JSON.stringify([...response.headers.entries()])}\n${text}` });
  return { status: response.status, headers: response.headers, text, json: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
}

describe('npm start', () => {
  it('serves the API, enforces keys end to end, survives a crash and stops on Ctrl-C', async () => {
    const receiver = await startReceiver();
    const ports = await stackPorts();
    // The chatbot is a DingTalk look-alike on loopback: no test traffic leaves the machine.
    const ding = await startDingTalkServer({ limit: 20, windowMs: 60_000, throttleMs: 600_000 });
    ding.setSecret('e2eTOKENsecret42', 'SECe2e0123456789abcdef');
    const env = { ...ports, ADMIN_API_KEY: ADMIN, LOCAL_DATA_DIR: dataDir, DINGTALK_WEBHOOK_PREFIX: ding.prefix };
    stack = await startStack(env);
    expect(stack.readyMs).toBeLessThan(60_000);
    const base = stack.baseUrl;
    const seen: string[] = [];

    const health = await api(base, 'GET', '/v1/health');
    expect(health.status).toBe(200);
    expect(health.json).toEqual({ status: 'ok', version: expect.any(String) });
    expect(health.headers.get('x-content-type-options')).toBe('nosniff');

    expect((await api(base, 'GET', '/v1/nope')).status).toBe(404);
    const wrongMethod = await api(base, 'PUT', '/v1/api-keys', ADMIN);
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('POST, GET');

    // 401s
    expect((await api(base, 'GET', '/v1/api-keys')).status).toBe(401);
    expect((await api(base, 'GET', '/v1/api-keys', 'local-dev-admin-key')).status).toBe(401);

    const created = await api(base, 'POST', '/v1/api-keys', ADMIN, {
      name: 'e2e-reader',
      scopes: ['rules:read'],
      instanceIds: ['cri-abc123'],
    });
    expect(created.status).toBe(201);
    const { apiKey, keyId } = created.json as { apiKey: string; keyId: string };
    seen.push(created.text);

    // 403s: admin route, missing scope, other instance
    for (const [method, path, body] of [
      ['GET', '/v1/api-keys', undefined],
      ['POST', '/v1/instances/cri-abc123/rules', {}],
      ['GET', '/v1/instances/cri-other1/rules', undefined],
    ] as const) {
      const reply = await api(base, method, path, apiKey, body);
      expect(reply.status, `${method} ${path}`).toBe(403);
      expect((reply.json as { error: { code: string } }).error.code).toBe('Forbidden');
      seen.push(reply.text);
    }
    // A rule through the bundled function (sealed secrets with the generated local key).
    const rule = await api(base, 'POST', '/v1/instances/cri-abc123/rules', ADMIN, {
      ruleName: 'e2e-rule',
      regionId: 'cn-hangzhou',
      eventTypes: ['cr:Artifact:BuildCompleted'],
      scope: { type: 'INSTANCE' },
      notify: { method: 'dingtalk', webhookUrl: ding.webhookUrl('e2eTOKENsecret42'), secret: 'SECe2e0123456789abcdef' },
    });
    expect(rule.status).toBe(201);
    expect(rule.text).not.toContain('e2eTOKENsecret42');
    const ruleId = (rule.json as { ruleId: string }).ruleId;

    // An event through ingest → SQS emulator → poller → bundled deliver → a loopback receiver.
    const hook = await api(base, 'POST', '/v1/instances/cri-abc123/rules', ADMIN, {
      ruleName: 'e2e-hook',
      regionId: 'cn-hangzhou',
      eventTypes: ['cr:Artifact:BuildCompleted'],
      scope: { type: 'INSTANCE' },
      notify: { method: 'http', url: receiver.url },
    });
    expect(hook.status).toBe(201);
    const eventId = `e2e-${Date.now()}`;
    const ingested = await api(base, 'POST', '/v1/events', ADMIN, {
      specversion: '1.0',
      id: eventId,
      source: 'acs.cr',
      type: 'cr:Artifact:BuildCompleted',
      data: { InstanceId: 'cri-abc123', RegionId: 'cn-hangzhou', RepoNamespaceName: 'ns', RepoName: 'api', Tag: 'v1', BuildStatus: 'SUCCESS' },
    });
    expect(ingested.status).toBe(202);
    expect((ingested.json as { matchedRuleIds: string[] }).matchedRuleIds).toHaveLength(2);
    const deliveredWithin = Date.now();
    while (!receiver.received.some((r) => r.body.includes(eventId)) && Date.now() - deliveredWithin < 15_000) {
      await new Promise((r) => setTimeout(r, 100));
    }
    const arrival = receiver.received.find((r) => r.body.includes(eventId));
    expect(arrival?.headers['webhook-id']).toMatch(/^msg_/);
    while (!ding.messages('e2eTOKENsecret42').some((m) => m.text.includes(eventId)) && Date.now() - deliveredWithin < 15_000) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(ding.messages('e2eTOKENsecret42').find((m) => m.text.includes(eventId))?.signed).toBe(true);

    const listed = await api(base, 'GET', '/v1/api-keys', ADMIN);
    expect(listed.text).toContain(keyId);
    seen.push(listed.text);

    // Crash: SIGKILL the launcher, leaving its children orphaned; start again.
    const pids = JSON.parse(readFileSync(join(dataDir, 'pids.json'), 'utf8')) as { pid: number }[];
    expect(pids.length).toBeGreaterThanOrEqual(2);
    stack.child.kill('SIGKILL');
    await stack.exited;
    const firstOutput = stack.output();
    stack = await startStack(env);
    expect(pids.every((p) => !alive(p.pid))).toBe(true);
    const base2 = stack.baseUrl;

    // The data survived the crash (DynamoDB Local persisted under LOCAL_DATA_DIR).
    const again = await api(base2, 'GET', `/v1/instances/cri-abc123/rules/${ruleId}`, apiKey);
    expect(again.status).toBe(200);
    expect(again.json).toMatchObject({ ruleName: 'e2e-rule', notify: { secretSet: true } });

    // Revocation takes effect within 5 s.
    expect((await api(base2, 'DELETE', `/v1/api-keys/${keyId}`, ADMIN)).status).toBe(204);
    const revokedAt = Date.now();
    let status = 0;
    while (Date.now() - revokedAt < 5_000) {
      status = (await api(base2, 'GET', '/v1/instances/cri-abc123/rules', apiKey)).status;
      if (status === 401) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(status).toBe(401);

    // The leak audit: every other route, with secrets in play.
    const WHSEC = `whsec_${Buffer.alloc(32, 11).toString('base64')}`;
    await api(base2, 'GET', '/v1/instances/cri-abc123/rules', ADMIN);
    await api(base2, 'PATCH', `/v1/instances/cri-abc123/rules/${ruleId}`, ADMIN, {
      notify: { method: 'dingtalk', webhookUrl: ding.webhookUrl('e2eTOKENsecret42'), secret: 'SECe2e0123456789abcdef' },
    });
    const hookRule = await api(base2, 'POST', '/v1/instances/cri-abc123/rules', ADMIN, {
      ruleName: 'e2e-signed',
      regionId: 'cn-hangzhou',
      eventTypes: ['cr:Artifact:SigningCompleted'],
      scope: { type: 'INSTANCE' },
      notify: { method: 'http', url: receiver.url, secret: WHSEC },
    });
    const signedRuleId = (hookRule.json as { ruleId: string }).ruleId;
    expect((await api(base2, 'POST', `/v1/instances/cri-abc123/rules/${ruleId}/test`, ADMIN)).status).toBe(200);
    expect((await api(base2, 'POST', `/v1/instances/cri-abc123/rules/${signedRuleId}/test`, ADMIN)).status).toBe(200);
    expect((await api(base2, 'GET', '/v1/instances/cri-abc123/events', ADMIN)).status).toBe(200);
    expect((await api(base2, 'GET', `/v1/events/${eventId}`, ADMIN)).status).toBe(200);
    expect((await api(base2, 'POST', `/v1/events/${eventId}/redeliver`, ADMIN, {})).status).toBe(202);
    await api(base2, 'POST', '/v1/instances/cri-abc123/rules', ADMIN, { ruleName: 'bad', notify: { method: 'http', url: `http://u:${WHSEC}@127.0.0.1/x#SECe2e0123456789abcdef` } });
    await api(base2, 'POST', '/v1/events', `Bearer-ish ${apiKey}`, { broken: 'e2eTOKENsecret42' });
    await api(base2, 'PUT', `/v1/events/${eventId}`, ADMIN, { secret: WHSEC });
    const auditSecrets = [apiKey, ADMIN, 'e2eTOKENsecret42', 'SECe2e0123456789abcdef', WHSEC, WHSEC.slice(6)];

    // Ctrl-C stops everything.
    const pids2 = JSON.parse(readFileSync(join(dataDir, 'pids.json'), 'utf8')) as { pid: number }[];
    stack.child.kill('SIGINT');
    expect(await stack.exited).toBe(0);
    expect(pids2.every((p) => !alive(p.pid))).toBe(true);
    expect(existsSync(join(dataDir, 'dynamodb'))).toBe(true);

    // No key in any response body we did not ask to see it in, nor in any log line.
    const logs = firstOutput + stack.output();
    expect(logs).toContain('"route":"createApiKey"');
    for (const { request, text } of transcript) {
      // The create response is where a new key is shown, once, by design.
      if (request === 'POST /v1/api-keys') continue;
      for (const secret of auditSecrets) expect(text, request).not.toContain(secret);
    }
    for (const secret of auditSecrets) expect(logs).not.toContain(secret);
    for (const text of [...seen.slice(1), logs]) {
      expect(text).not.toContain(apiKey);
      expect(text).not.toContain(ADMIN);
      expect(text).not.toContain('e2eTOKENsecret42');
      expect(text).not.toContain('SECe2e0123456789abcdef');
    }
    await receiver.close();
    await ding.close();
  }, 240_000);
});

describe('npm start: registry sources', () => {
  it('a Harbor push and a Distribution push reach an HTTP rule\'s receiver and a DingTalk look-alike; a deleted source stops within 5 s', async () => {
    const sourcesDir = mkdtempSync(join(tmpdir(), 'registry-events-e2e-sources-'));
    const receiver = await startReceiver();
    const ding = await startDingTalkServer({ limit: 20, windowMs: 60_000, throttleMs: 600_000 });
    const env = { ...(await stackPorts()), ADMIN_API_KEY: ADMIN, LOCAL_DATA_DIR: sourcesDir, DINGTALK_WEBHOOK_PREFIX: ding.prefix };
    const running = await startStack(env);
    try {
      const base = running.baseUrl;
      const instance = 'cri-e2esrc01';
      for (const [ruleName, notify] of [
        ['pushes-hook', { method: 'http', url: receiver.url }],
        ['pushes-chat', { method: 'dingtalk', webhookUrl: ding.webhookUrl('e2eSOURCEbot0001') }],
      ] as const) {
        const rule = await api(base, 'POST', `/v1/instances/${instance}/rules`, ADMIN, {
          ruleName,
          regionId: 'cn-hangzhou',
          eventTypes: ['cr:Artifact:PushCompleted'],
          scope: { type: 'INSTANCE' },
          notify,
        });
        expect(rule.status, rule.text).toBe(201);
      }
      const create = async (name: string, kind: string) => {
        const made = await api(base, 'POST', `/v1/instances/${instance}/sources`, ADMIN, { name, kind, regionId: 'cn-hangzhou' });
        expect(made.status, made.text).toBe(201);
        return made.json as { sourceId: string; token: string; ingestUrl: string };
      };
      const harbor = await create('harbor-prod', 'harbor');
      const registry = await create('registry-lab', 'distribution');

      // As the registries send them: Harbor's Auth Header, Distribution's endpoint headers and media type.
      const post = (source: { ingestUrl: string; token: string }, body: unknown, contentType: string) =>
        fetch(`${base}${source.ingestUrl}`, { method: 'POST', headers: { authorization: `Bearer ${source.token}`, 'content-type': contentType }, body: JSON.stringify(body) });
      const fromHarbor = await post(harbor, fixture('harbor', 'cloudevents-push-artifact'), 'application/json');
      expect(fromHarbor.status).toBe(202);
      const harborResult = ((await fromHarbor.json()) as { results: { eventId: string; status: string; matchedRuleIds: string[] }[] }).results;
      expect(harborResult).toEqual([expect.objectContaining({ status: 'accepted', eventId: '66e18103-09c1-41f6-982f-37df223f3eeb' })]);
      expect(harborResult[0]?.matchedRuleIds).toHaveLength(2);
      const fromRegistry = await post(registry, fixture('distribution', 'envelope-push'), 'application/vnd.docker.distribution.events.v2+json');
      expect(fromRegistry.status).toBe(202);
      const registryResult = ((await fromRegistry.json()) as { results: { index: number; status: string }[] }).results;
      expect(registryResult.map((r) => r.status)).toEqual(['accepted', 'ignored', 'ignored']);

      for (const eventId of ['66e18103-09c1-41f6-982f-37df223f3eeb', 'asdf-asdf-asdf-asdf-0']) {
        const started = Date.now();
        while (!(receiver.received.some((r) => r.body.includes(eventId)) && ding.messages('e2eSOURCEbot0001').some((m) => m.text.includes(eventId))) && Date.now() - started < 20_000) {
          await new Promise((r) => setTimeout(r, 100));
        }
        const arrival = receiver.received.find((r) => r.body.includes(eventId));
        expect(arrival, eventId).toBeDefined();
        const delivered = JSON.parse(arrival?.body ?? '{}') as { type: string; data: Record<string, unknown> };
        expect(delivered.type).toBe('cr:Artifact:PushCompleted');
        expect(delivered.data).toMatchObject({ InstanceId: instance, RegionId: 'cn-hangzhou', PushStatus: 'SUCCESS' });
        expect(ding.messages('e2eSOURCEbot0001').some((m) => m.text.includes(eventId)), eventId).toBe(true);
      }

      // The trace names the source and shows what Harbor sent.
      const trace = await api(base, 'GET', '/v1/events/66e18103-09c1-41f6-982f-37df223f3eeb', ADMIN);
      expect(trace.json).toMatchObject({ namespace: 'harbor', repoName: 'alpine', source: { name: 'harbor-prod', kind: 'harbor', payload: fixture('harbor', 'cloudevents-push-artifact') } });

      // Deleting the source: its token stops working within 5 s.
      expect((await api(base, 'DELETE', `/v1/instances/${instance}/sources/${harbor.sourceId}`, ADMIN)).status).toBe(204);
      const deletedAt = Date.now();
      let status = 0;
      while (Date.now() - deletedAt < 5_000) {
        status = (await post(harbor, fixture('harbor', 'default-pull-artifact'), 'application/json')).status;
        if (status === 401) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(status).toBe(401);

      running.child.kill('SIGINT');
      expect(await running.exited).toBe(0);
      for (const token of [harbor.token, registry.token]) expect(running.output()).not.toContain(token.slice(-43));
    } finally {
      if (running.child.exitCode === null) {
        running.child.kill('SIGINT');
        await running.exited;
      }
      await receiver.close();
      await ding.close();
      rmSync(sourcesDir, { recursive: true, force: true });
    }
  }, 240_000);
});
