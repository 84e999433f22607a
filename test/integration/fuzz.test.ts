/**
 * Fuzzing every HTTP entry point in-process through the real middy stacks and DynamoDB
 * Local (fast-check, fixed seed, bounded runs). Invariants: never a 5xx, always a valid
 * error envelope, nothing written on rejection, no prototype pollution.
 */
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKeysHandler } from '../../functions/apiKeys';
import { createEventsHandler } from '../../functions/events';
import { createIngestHandler } from '../../functions/ingest';
import { createRulesHandler } from '../../functions/rules';
import { createSourceEventsHandler } from '../../functions/sourceEvents';
import { createSourcesHandler } from '../../functions/sources';
import type { HttpHandler } from '../../shared/http/createHttpFunction';
import { ADMIN_KEY, testRuntime } from '../support/app';
import { createTestTable } from '../support/dynamo';
import type { TestTable } from '../support/dynamo';
import { bearer, call } from '../support/http';
import { createTestQueue } from '../support/queue';
import type { TestQueue } from '../support/queue';
import { fixture, makeSource } from '../support/sources';
import type { TestSource } from '../support/sources';

const RUNS = { seed: Number(process.env.FUZZ_SEED ?? 20261125), numRuns: Number(process.env.FUZZ_RUNS ?? 60) };
let table: TestTable;
let queue: TestQueue;
let handlers: Record<'apiKeys' | 'rules' | 'ingest' | 'events', HttpHandler>;
let ruleId: string;
let sourceEvents: HttpHandler;
const sources: Record<string, TestSource> = {};

const deep = (n: number) => `${'['.repeat(n)}1${']'.repeat(n)}`;
const validRule = { ruleName: 'fz', regionId: 'cn-hangzhou', eventTypes: ['cr:Artifact:ScanCompleted'], scope: { type: 'INSTANCE' }, notify: { method: 'http', url: 'http://127.0.0.1:9/x' } };
const validEvent = { specversion: '1.0', id: 'fz-1', source: 's', type: 'cr:Artifact:ScanCompleted', data: { InstanceId: 'cri-fuzz0001', RegionId: 'cn-hangzhou', RepoNamespaceName: 'a', RepoName: 'b', Tag: 't', ScanStatus: 'SUCCESS' } };

/** Adversarial bodies: broken JSON, odd encodings, huge, deep, hostile keys, wrong types. */
const hostileText = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.json({ maxDepth: 4 }),
  fc.constantFrom(
    '',
    '{',
    '[',
    'null',
    '1e400',
    '-0',
    '"\\ud800"',
    '\ufeff{}',
    '{"a":"\\ud800\\udc00\\ud800"}',
    deep(2000),
    `{"x":${deep(2000)}}`,
    '{"__proto__":{"polluted":1}}',
    '{"constructor":{"prototype":{"polluted":1}}}',
    `{"s":"${'x'.repeat(300_000)}"}`,
    `[${Array.from({ length: 5000 }, () => '0').join(',')}]`,
  ),
  fc.anything({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? 'null'),
  fc.constantFrom(JSON.stringify(validRule), JSON.stringify(validEvent)).chain((good) => fc.nat({ max: good.length - 1 }).map((cut) => good.slice(0, cut))),
  fc.record({ ...Object.fromEntries(Object.keys(validRule).map((k) => [k, fc.anything({ maxDepth: 2 })])) }).map((o) => JSON.stringify(o)),
  fc.record({ ...Object.fromEntries(Object.keys(validEvent).map((k) => [k, fc.anything({ maxDepth: 2 })])) }).map((o) => JSON.stringify(o)),
);
const contentType = fc.constantFrom(
  'application/json',
  'application/cloudevents+json',
  'application/cloudevents-batch+json',
  'text/plain',
  'application/json; charset=latin1',
  'multipart/form-data; boundary=x',
  '',
);
const base64Junk = fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b).toString('base64'));

async function itemCount(): Promise<number> {
  const out = await table.db.send(new ScanCommand({ TableName: table.tableName, Select: 'COUNT' }));
  return out.Count ?? 0;
}

function checkEnvelope(status: number, json: unknown, text: string): void {
  expect(status, text.slice(0, 300)).toBeLessThan(500);
  if (status >= 400) {
    const error = (json as { error?: { code?: unknown; message?: unknown; details?: unknown } } | undefined)?.error;
    expect(typeof error?.code).toBe('string');
    expect(typeof error?.message).toBe('string');
    if (error?.details !== undefined) {
      for (const d of error.details as { path: unknown; message: unknown }[]) {
        expect(typeof d.path).toBe('string');
        expect(typeof d.message).toBe('string');
      }
    }
    expect(text).not.toMatch(/at .+\.(ts|js):\d+|node_modules|Exception|\/work\//);
  }
}

beforeAll(async () => {
  table = await createTestTable('fuzz');
  queue = await createTestQueue();
  const rt = testRuntime(table, { env: queue.env });
  handlers = { apiKeys: createApiKeysHandler(rt), rules: createRulesHandler(rt), ingest: createIngestHandler(rt), events: createEventsHandler(rt) };
  const made = await call(handlers.rules, { method: 'POST', path: '/v1/instances/cri-fuzz0001/rules', headers: bearer(ADMIN_KEY), body: validRule });
  ruleId = (made.json as { ruleId: string }).ruleId;
  sourceEvents = createSourceEventsHandler(rt);
  const sourcesHandler = createSourcesHandler(rt);
  for (const kind of ['harbor', 'distribution', 'ecr', 'acr']) sources[kind] = await makeSource(sourcesHandler, 'cri-fuzz0001', { name: `fz-${kind}`, kind });
});
afterAll(async () => {
  await queue.close();
  await table.drop();
});

describe('fuzzing entry points', () => {
  const targets: [string, keyof typeof handlers, string, string][] = [
    ['create API key', 'apiKeys', 'POST', '/v1/api-keys'],
    ['create rule', 'rules', 'POST', '/v1/instances/cri-fuzz0001/rules'],
    ['patch rule', 'rules', 'PATCH', '/v1/instances/cri-fuzz0001/rules/RULE'],
    ['ingest', 'ingest', 'POST', '/v1/events'],
    ['redeliver', 'events', 'POST', '/v1/events/fz-1/redeliver'],
    ['create session', 'apiKeys', 'POST', '/v1/sessions'],
    ['put alert target', 'rules', 'PUT', '/v1/instances/cri-fuzz0001/alerts'],
    ['resume rule', 'rules', 'POST', '/v1/instances/cri-fuzz0001/rules/RULE/resume'],
    ['bulk redeliver', 'events', 'POST', '/v1/instances/cri-fuzz0001/redeliver'],
  ];
  it.each(targets)('%s: bodies × content types never 5xx, never write on rejection', async (_name, fn, method, rawPath) => {
    await fc.assert(
      fc.asyncProperty(hostileText, contentType, fc.boolean(), base64Junk, async (text, type, asBase64, junk) => {
        const before = await itemCount();
        const path = rawPath.replace('RULE', ruleId);
        const reply = await call(handlers[fn], {
          method,
          path,
          headers: { ...bearer(ADMIN_KEY), ...(type ? { 'content-type': type } : {}) },
          body: asBase64 ? junk : text,
          isBase64Encoded: asBase64,
        });
        checkEnvelope(reply.status, reply.json, reply.text);
        if (reply.status >= 400) expect(await itemCount()).toBe(before);
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      }),
      RUNS,
    );
  }, 120_000);

  /** Native webhooks: the vendors' documented payloads, cut short, with fields replaced by anything, or hostile text. */
  const nativeExamples = [
    fixture('harbor', 'default-push-artifact'),
    fixture('harbor', 'cloudevents-push-artifact'),
    fixture('harbor', 'default-replication'),
    fixture('harbor', 'default-scanning-failed'),
    fixture('distribution', 'envelope-push'),
    fixture('ecr', 'image-push'),
    fixture('ecr', 'image-scan'),
    validEvent,
  ];
  const mutate = (value: unknown, depth: number): fc.Arbitrary<unknown> => {
    if (depth <= 0 || value === null || typeof value !== 'object') return fc.oneof(fc.constant(value), fc.anything({ maxDepth: 2 }));
    const entries = Object.entries(value as Record<string, unknown>);
    return fc
      .tuple(...entries.map(([, v]) => fc.oneof({ weight: 3, arbitrary: mutate(v, depth - 1) }, { weight: 1, arbitrary: fc.constant(undefined) })))
      .map((values) => {
        const out: Record<string, unknown> = Array.isArray(value) ? ([] as unknown as Record<string, unknown>) : {};
        entries.forEach(([k], i) => {
          if (values[i] !== undefined) out[k] = values[i];
        });
        return out;
      });
  };
  const nativeBody = fc.oneof(
    hostileText,
    fc.constantFrom(...nativeExamples).chain((example) => mutate(example, 4)).map((v) => JSON.stringify(v) ?? 'null'),
    fc.constantFrom(...nativeExamples.map((e) => JSON.stringify(e))).chain((good) => fc.nat({ max: good.length - 1 }).map((cut) => good.slice(0, cut))),
  );

  it.each(['harbor', 'distribution', 'ecr', 'acr'])('native webhooks (%s): never 5xx, valid envelope, nothing written on rejection', async (kind) => {
    await fc.assert(
      fc.asyncProperty(nativeBody, contentType, fc.boolean(), base64Junk, async (text, type, asBase64, junk) => {
        const source = sources[kind];
        if (!source) throw new Error('no source');
        const before = await itemCount();
        const reply = await call(sourceEvents, {
          method: 'POST',
          path: source.ingestUrl,
          headers: { authorization: `Bearer ${source.token}`, ...(type ? { 'content-type': type } : {}) },
          body: asBase64 ? junk : text,
          isBase64Encoded: asBase64,
        });
        checkEnvelope(reply.status, reply.json, reply.text);
        if (reply.status >= 400) expect(await itemCount()).toBe(before);
        if (reply.status === 202) {
          for (const result of (reply.json as { results: { index: unknown; status: unknown }[] }).results) {
            expect(typeof result.index).toBe('number');
            expect(['accepted', 'duplicate', 'ignored', 'rejected']).toContain(result.status);
          }
        }
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      }),
      RUNS,
    );
  }, 120_000);

  it('binary-mode ingest with hostile ce-* headers never 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.dictionary(fc.constantFrom('ce-specversion', 'ce-id', 'ce-type', 'ce-source', 'ce-time', 'ce-__proto__', 'ce-data', 'ce-constructor'), fc.string({ maxLength: 40 })), hostileText, async (headers, body) => {
        const reply = await call(handlers.ingest, { method: 'POST', path: '/v1/events', headers: { ...bearer(ADMIN_KEY), 'content-type': 'application/json', 'ce-specversion': '1.0', ...headers }, body });
        checkEnvelope(reply.status, reply.json, reply.text);
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      }),
      RUNS,
    );
  }, 120_000);

  it('hostile session cookies never 5xx and never authenticate', async () => {
    const cookieText = fc.oneof(fc.string({ maxLength: 120 }), hostileText, fc.constantFrom('ren_session=', `ren_session=${'A'.repeat(43)}`, 'ren_session=;ren_session=x', '=;=;', 'ren_session=../../x'));
    await fc.assert(
      fc.asyncProperty(cookieText, fc.array(cookieText, { maxLength: 3 }), async (header, cookies) => {
        const before = await itemCount();
        for (const [method, path, fn] of [['GET', '/v1/me', 'apiKeys'], ['POST', '/v1/instances/cri-fuzz0001/rules', 'rules'], ['DELETE', '/v1/sessions/current', 'apiKeys']] as const) {
          const reply = await call(handlers[fn], { method, path, headers: { cookie: header, 'x-requested-with': 'console' }, cookies, ...(method === 'POST' ? { body: validRule } : {}) });
          checkEnvelope(reply.status, reply.json, reply.text);
          expect(reply.status, `${method} ${path}`).toBe(401);
        }
        expect(await itemCount()).toBe(before);
      }),
      RUNS,
    );
  }, 120_000);

  it('history query strings and event ids never 5xx', async () => {
    const param = fc.constantFrom('limit', 'nextToken', 'ruleId', 'eventType', 'status', 'namespace', 'repoName', 'deliveryState', '__proto__', 'constructor', 'x');
    await fc.assert(
      fc.asyncProperty(fc.dictionary(param, fc.oneof(fc.string({ maxLength: 60 }), fc.constantFrom('0', '101', '1e400', '-1', 'NaN', '30', 'eyJ2IjoxfQ.AAAA', 'failed', 'suspended', 'pending'))), fc.string({ maxLength: 130 }), async (query, eventId) => {
        const list = await call(handlers.events, { path: '/v1/instances/cri-fuzz0001/events', headers: bearer(ADMIN_KEY), query });
        checkEnvelope(list.status, list.json, list.text);
        const one = await call(handlers.events, { path: `/v1/events/${encodeURIComponent(eventId)}`, headers: bearer(ADMIN_KEY) });
        checkEnvelope(one.status, one.json, one.text);
      }),
      RUNS,
    );
  }, 120_000);
});
