/**
 * SPEC §9 "Nothing lost", by fault injection on the running local stack (`npm start`'s
 * entry point, real DynamoDB Local, the SQS emulator, serverless-offline, loopback
 * receivers), with short settings so it runs in about a minute:
 *   1. SIGKILL of the whole stack while HTTP deliveries wait for retries and DingTalk
 *      mail waits for a flush; restart on the same LOCAL_DATA_DIR;
 *   2. the queue purged while deliveries wait (only the table knows them then);
 *   3. DynamoDB Local alone killed (the deep health check names it) and brought back.
 * Every delivery ends `delivered`, the receivers saw every event, the chatbot never got
 * more than its limit, and no delivery was sent more often than its attempts (plus one
 * send cut short by the kill) account for. The recovery times measured are printed.
 */
import { PurgeQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { alive } from '../../local/processes';
import { startDingTalkServer } from '../support/dingtalkServer';
import type { DingTalkServer } from '../support/dingtalkServer';
import type { RunningStack } from '../support/localStack';
import { stackPorts, startStack } from '../support/localStack';
import { startReceiver } from '../support/receiver';
import type { Receiver } from '../support/receiver';

const ADMIN = 'faults-admin-key-0123456789abcdef';
const INSTANCE = 'cri-faults01';
/** Another instance for the raw-bytes checks, so they warm no rule cache of INSTANCE. */
const RAW_INSTANCE = 'cri-faultsraw';
const TOKEN = 'faultsTOKEN0001';
const LIMIT = 1;
const WINDOW_S = 8;
const dataDir = mkdtempSync(join(tmpdir(), 'registry-events-faults-'));
let stack: RunningStack | undefined;
let receiver: Receiver | undefined;
let ding: DingTalkServer | undefined;
let lastSeen = '';

afterAll(async () => {
  if (stack && stack.child.exitCode === null) {
    stack.child.kill('SIGINT');
    await stack.exited;
  }
  await receiver?.close();
  await ding?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

interface Delivery {
  ruleId: string;
  method: string;
  state: string;
  attempts: { n: number; outcome: string }[];
}

async function poll<T>(what: string, check: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch {
      // not yet (the stack may be restarting)
    }
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('faults on the running stack', () => {
  it('a whole-stack SIGKILL, a purged queue and a DynamoDB Local crash lose nothing and never break the chatbot limit', async () => {
    try {
      await faults();
    } catch (error) {
      // What the stack said, to tell a slow machine from a bug.
      console.error(`[faults] last states seen: ${lastSeen}\n[faults] stack output (tail):\n${stack?.output().slice(-6000) ?? ''}`);
      throw error;
    }
  }, 240_000);
});

async function faults(): Promise<void> {
  receiver = await startReceiver();
  const hook = receiver;
  ding = await startDingTalkServer({ limit: LIMIT, windowMs: WINDOW_S * 1000, throttleMs: 60_000 });
  const bot = ding;
  const ports = await stackPorts();
  const env = {
    ...ports,
    ADMIN_API_KEY: ADMIN,
    LOCAL_DATA_DIR: dataDir,
    DINGTALK_WEBHOOK_PREFIX: bot.prefix,
    DINGTALK_RATE_LIMIT: String(LIMIT),
    DINGTALK_RATE_WINDOW_SECONDS: String(WINDOW_S),
    RECONCILE_AFTER_SECONDS: '2',
    LOCAL_RECONCILE_EVERY_SECONDS: '2',
    RETRY_BASE_SECONDS: '4',
    RETRY_MAX_DELAY_SECONDS: '4',
    DELIVERY_TIMEOUT_MS: '2000',
  };
  stack = await startStack(env);
  const timings: Record<string, number> = { firstStartMs: stack.readyMs };
  const base = () => stack?.baseUrl ?? '';
  const api = async (method: string, path: string, body?: unknown, contentType = 'application/json') => {
    const reply = await fetch(`${base()}${path}`, {
      method,
      headers: { authorization: `Bearer ${ADMIN}`, ...(body !== undefined ? { 'content-type': contentType } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await reply.text();
    return { status: reply.status, json: (text ? JSON.parse(text) : undefined) as Record<string, unknown> | undefined };
  };
  const rule = async (ruleName: string, notify: Record<string, unknown>) => {
    const reply = await api('POST', `/v1/instances/${INSTANCE}/rules`, { ruleName, regionId: 'cn-hangzhou', eventTypes: ['cr:Artifact:BuildCompleted'], scope: { type: 'INSTANCE' }, notify });
    expect(reply.status).toBe(201);
    return String(reply.json?.ruleId);
  };
  // Raw bytes through the stack as deployed: invalid UTF-8 is refused, not replaced; the
  // same event with valid non-ASCII text is accepted with it intact.
  const raw = (bytes: Buffer) =>
    fetch(`${base()}/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' }, body: bytes });
  const text = (id: string, tag: string) =>
    `{"specversion":"1.0","id":"${id}","source":"faults","type":"cr:Artifact:ScanCompleted","data":{"InstanceId":"${RAW_INSTANCE}","RegionId":"cn-hangzhou","RepoNamespaceName":"ns","RepoName":"api","Tag":"v1","ScanStatus":"FAILED","Note":"${tag}"}}`;
  const [head, tail] = text(`bytes-${Date.now()}`, 'SPLIT').split('SPLIT');
  const invalid = await raw(Buffer.concat([Buffer.from(head ?? ''), Buffer.from([0xe9, 0x74, 0xe9]), Buffer.from(tail ?? '')]));
  expect(invalid.status).toBe(400);
  expect(await invalid.json()).toMatchObject({ error: { code: 'MalformedJson' } });
  const validId = `utf8-${Date.now()}`;
  expect((await raw(Buffer.from(text(validId, 'été ✓'), 'utf8'))).status).toBe(202);
  expect((await api('GET', `/v1/instances/${RAW_INSTANCE}/events/${validId}`)).json).toMatchObject({ event: { data: { Note: 'été ✓' } } });
  // Valid JSON that is not an object is a validation error, as deployed — a bare string too.
  for (const json of ['"x"', 'true', 'null']) {
    const notObject = await raw(Buffer.from(json));
    expect(notObject.status, json).toBe(400);
    expect(await notObject.json(), json).toMatchObject({ error: { code: 'ValidationFailed' } });
  }
  const deep = await raw(Buffer.from(`${'['.repeat(20_000)}${']'.repeat(20_000)}`));
  expect(deep.status).toBe(400);
  expect(await deep.json()).toMatchObject({ error: { code: 'ValidationFailed' } });

  await rule('hook', { method: 'http', url: hook.url });
  const botRule = await rule('bot', { method: 'dingtalk', webhookUrl: bot.webhookUrl(TOKEN) });
  /** Takes the chatbot's one send slot (a rule test), so the next events' mail must wait for a flush. */
  const occupyBot = async () => {
    const reply = await api('POST', `/v1/instances/${INSTANCE}/rules/${botRule}/test`);
    expect([200, 429]).toContain(reply.status); // 429: the slot was taken already
  };

  const sent: string[] = [];
  const ingest = async (label: string, count: number) => {
    const ids = Array.from({ length: count }, (_, i) => `${label}-${i}-${Date.now()}`);
    const events = ids.map((id) => ({ specversion: '1.0', id, source: 'faults', type: 'cr:Artifact:BuildCompleted', data: { InstanceId: INSTANCE, RegionId: 'cn-hangzhou', RepoNamespaceName: 'ns', RepoName: 'api', Tag: 'v1', BuildStatus: 'SUCCESS' } }));
    const reply = await api('POST', '/v1/events', events, 'application/cloudevents-batch+json');
    expect(reply.status).toBe(202);
    sent.push(...ids);
    return ids;
  };
  const deliveries = async (ids: string[]) => {
    const all: Delivery[][] = [];
    for (const id of ids) {
      const reply = await api('GET', `/v1/instances/${INSTANCE}/events/${id}`);
      if (reply.status !== 200) return undefined;
      all.push((reply.json as { deliveries: Delivery[] }).deliveries);
    }
    return all;
  };
  const allDelivered = (ids: string[]) => async () => {
    const all = await deliveries(ids);
    return all?.every((ds) => ds.length === 2 && ds.every((d) => d.state === 'delivered')) ? all : undefined;
  };
  const httpWaiting = (ids: string[]) => async () => {
    const all = await deliveries(ids);
    const http = all?.map((ds) => ds.find((d) => d.method === 'http'));
    const ding = all?.map((ds) => ds.find((d) => d.method === 'dingtalk'));
    lastSeen = JSON.stringify({ http: http?.map((d) => d?.state), ding: ding?.map((d) => d?.state), dingMessages: bot.messages(TOKEN).length });
    // Every HTTP delivery waits for a retry; some chat mail still waits for a flush.
    return http?.every((d) => d?.state === 'retrying') && ding?.some((d) => d?.state !== 'delivered') ? all : undefined;
  };

  // 1. Whole-stack SIGKILL while deliveries wait, restart on the same data.
  hook.script(...Array.from({ length: 500 }, () => ({ status: 503 })));
  await occupyBot();
  const first = await ingest('crash', 8);
  await poll('HTTP deliveries retrying and chat mail parked', httpWaiting(first), 30_000);
  const children = JSON.parse(readFileSync(join(dataDir, 'pids.json'), 'utf8')) as { pid: number }[];
  for (const { pid } of children) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      process.kill(pid, 'SIGKILL');
    }
  }
  stack.child.kill('SIGKILL');
  await stack.exited;
  const killedAt = Date.now();
  await poll('every process of the stack gone', async () => (children.every((c) => !alive(c.pid)) ? true : undefined), 10_000);
  hook.unscript(); // the endpoint recovers while the stack is down
  stack = await startStack(env);
  timings.restartMs = Date.now() - killedAt;
  await poll('every delivery of the crash phase delivered', allDelivered(first), 60_000);
  timings.crashRecoveryMs = Date.now() - killedAt;

  // 2. The queue purged while deliveries wait: only the table knows them.
  hook.script(...Array.from({ length: 500 }, () => ({ status: 503 })));
  await occupyBot();
  const second = await ingest('purge', 4);
  await poll('HTTP deliveries of the purge phase retrying', httpWaiting(second), 30_000);
  const sqs = new SQSClient({ endpoint: `http://127.0.0.1:${ports.LOCAL_SQS_PORT}`, region: 'us-east-1', credentials: { accessKeyId: 'l', secretAccessKey: 'l' } });
  await sqs.send(new PurgeQueueCommand({ QueueUrl: `http://127.0.0.1:${ports.LOCAL_SQS_PORT}/000000000000/registry-events-local-deliveries` }));
  sqs.destroy();
  const purgedAt = Date.now();
  hook.unscript();
  await poll('every delivery of the purge phase delivered', allDelivered(second), 60_000);
  timings.purgeRecoveryMs = Date.now() - purgedAt;
  // Their messages were gone: the reconciler re-drove them from the table.
  expect(stack.output()).toMatch(/"message":"reconciler run"[^\n]*"requeued":[1-9]/);

  // 3. DynamoDB Local alone killed: the deep health check names the table; it comes back.
  const dynamo = (JSON.parse(readFileSync(join(dataDir, 'pids.json'), 'utf8')) as { pid: number; marker: string }[]).find((p) => p.marker === 'DynamoDBLocal.jar');
  if (!dynamo) throw new Error('no DynamoDB Local recorded');
  process.kill(dynamo.pid, 'SIGKILL');
  const dynamoKilledAt = Date.now();
  const down = await poll(
    'the deep health check to report the table',
    async () => {
      const reply = await fetch(`${base()}/v1/health?deep=true`);
      return reply.status === 503 ? ((await reply.json()) as Record<string, unknown>) : undefined;
    },
    15_000,
  );
  expect(down).toMatchObject({ status: 'unavailable', checks: { table: 'unavailable', queue: 'ok' }, failing: ['table'] });
  await poll('the deep health check to pass again', async () => ((await fetch(`${base()}/v1/health?deep=true`)).status === 200 ? true : undefined), 60_000);
  timings.dynamoRecoveryMs = Date.now() - dynamoKilledAt;
  const third = await ingest('dynamo', 2);
  await poll('every delivery after DynamoDB Local came back delivered', allDelivered(third), 60_000);

  // Everything: delivered; every event seen by both receivers; the chatbot limit held.
  const final = await poll('every delivery delivered', allDelivered(sent), 30_000);
  for (const id of sent) {
    expect(hook.received.some((r) => r.body.includes(`"${id}"`)), id).toBe(true);
    expect(bot.messages(TOKEN).some((m) => m.text.includes(id)), id).toBe(true);
  }
  expect(bot.violations(TOKEN)).toBe(0);
  expect(bot.throttledReplies(TOKEN)).toBe(0);
  expect(bot.maxInWindow(TOKEN, WINDOW_S * 1000)).toBeLessThanOrEqual(LIMIT);
  // At least once, never more than the trace accounts for (one send may be cut short by the kill).
  const hits = new Map<string, number>();
  for (const r of hook.received) {
    const id = String(r.headers['webhook-id']);
    hits.set(id, (hits.get(id) ?? 0) + 1);
  }
  for (const [i, ds] of final.entries()) {
    const http = ds.find((d) => d.method === 'http');
    const byEvent = hook.received.filter((r) => r.body.includes(`"${sent[i]}"`));
    const deliveryId = String(byEvent[0]?.headers['webhook-id']);
    expect(byEvent.every((r) => r.headers['webhook-id'] === deliveryId)).toBe(true);
    expect(hits.get(deliveryId) ?? 0, sent[i]).toBeLessThanOrEqual((http?.attempts.length ?? 0) + 1);
    expect(http?.attempts.filter((a) => a.outcome === 'delivered')).toHaveLength(1);
  }
  console.log(`[faults] recovery times: ${JSON.stringify(timings)}`);
}
