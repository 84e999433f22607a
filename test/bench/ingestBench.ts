/** Figures 1–3: ingest overhead vs the raw SDK calls, calls per event, matcher cost. */
import { dynamoRuleHealthStore } from '../../shared/adapters/dynamo/ruleHealthRepository';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { Bench } from 'tinybench';
import { dynamoEventStore } from '../../shared/adapters/dynamo/eventRepository';
import { dynamoRuleStore } from '../../shared/adapters/dynamo/ruleRepository';
import { localKeySealer } from '../../shared/adapters/crypto/secretSealer';
import { sqsDeliveryQueue } from '../../shared/adapters/sqs/deliveryQueue';
import { matchRules } from '../../shared/domain/matching';
import type { MatchableRule, MatchableEvent } from '../../shared/domain/matching';
import { createRuleCache } from '../../shared/services/ruleCache';
import { createRule } from '../../shared/services/rules';
import { ingestEvents } from '../../shared/services/ingest';
import type { CreateRuleRequest } from '../../shared/domain/rules';
import type { Backends } from './harness';
import { countCalls, percentile, report } from './harness';

const INSTANCE = 'cri-bench001';
const PATTERNS = ['v[0-9]+\\.[0-9]+\\.[0-9]+', 'release-.*', '.*-rc[0-9]+', 'latest', '[a-f0-9]{7,40}', 'v1\\..*', 'nightly-[0-9]{8}', '.*', 'prod-(eu|cn)-.*', 'feature/.*'];

function event(i: number, tag = `v1.${i}.0`) {
  return {
    specversion: '1.0',
    id: `bench-${process.pid}-${Date.now()}-${i}-${Math.random().toString(36).slice(2)}`,
    source: 'acs.cr',
    type: 'cr:Artifact:ScanCompleted',
    time: '2026-11-20T08:00:00Z',
    data: { InstanceId: INSTANCE, RegionId: 'cn-hangzhou', RepoNamespaceName: 'team-a', RepoName: `repo${i % 7}`, Tag: tag, ScanStatus: 'FAILED' },
  };
}

export async function benchIngest(b: Backends, quick: boolean): Promise<void> {
  const db = b.newDocumentClient();
  const dbCalls = countCalls(db);
  const sqs = new SQSClient({ endpoint: b.sqsEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'l', secretAccessKey: 'l' } });
  const sqsCalls = countCalls(sqs);
  const ruleStore = dynamoRuleStore(db, b.tableName);

  // Ten rules on one instance; event types/scopes chosen so a typical event matches one.
  for (const [i, tagPattern] of PATTERNS.entries()) {
    const request: CreateRuleRequest = {
      ruleName: `bench-${i}`,
      regionId: 'cn-hangzhou',
      eventTypes: i === 0 ? ['cr:Artifact:ScanCompleted'] : ['cr:Artifact:BuildCompleted', 'cr:Artifact:ScanCompleted'],
      ...(i === 0 ? {} : { eventStatuses: ['SUCCESS'] }),
      scope: i % 2 === 0 ? { type: 'INSTANCE' } : { type: 'NAMESPACE', namespaces: ['team-a', 'team-b'] },
      tagPattern,
      notify: { method: 'https', url: 'https://127.0.0.1:9/hook' },
    };
    await createRule(
      {
        store: ruleStore,
        health: dynamoRuleHealthStore(db, b.tableName),
        sealer: localKeySealer(Buffer.alloc(32, 1)),
        checkHost: async () => ({ allowed: true }),
        settings: { maxRulesPerRegion: 100, unsupportedRegions: new Set(), dingtalkWebhookPrefix: 'https://oapi.dingtalk.com/robot/send' },
      },
      INSTANCE,
      request,
    );
  }

  const deps = {
    events: dynamoEventStore(db, b.tableName),
    queue: sqsDeliveryQueue(sqs, b.queueUrl),
    rules: createRuleCache({ store: ruleStore }),
    retentionSeconds: 259_200,
  };
  const admin = { kind: 'admin' as const };
  await ingestEvents(deps, admin, [event(0)]); // warm the rule cache and connections

  // 2. Calls per event, counted on the wire.
  const singles = quick ? 20 : 100;
  dbCalls.reset();
  sqsCalls.reset();
  for (let i = 0; i < singles; i += 1) await ingestEvents(deps, admin, [event(i)]);
  const single = (dbCalls.calls + sqsCalls.calls) / singles;
  report({
    id: 'calls.single',
    label: 'DynamoDB+SQS requests per single event (warm cache, 1 match)',
    value: single,
    unit: 'calls',
    goal: '≤ 3',
    ok: single <= 3,
    detail: { dynamodb: dbCalls.calls / singles, sqs: sqsCalls.calls / singles },
  });
  dbCalls.reset();
  sqsCalls.reset();
  await ingestEvents(deps, admin, Array.from({ length: 100 }, (_, i) => event(i)));
  const batch = (dbCalls.calls + sqsCalls.calls) / 100;
  report({
    id: 'calls.batch100',
    label: 'DynamoDB+SQS requests per event in a 100-event batch',
    value: batch,
    unit: 'calls',
    goal: '≤ 1.2',
    ok: batch <= 1.2,
    detail: { dynamodb: dbCalls.calls, sqs: sqsCalls.calls, ...dbCalls.byCommand() },
  });

  // 1. Ingest overhead: the handler's latency vs the raw calls it must make anyway,
  // interleaved in one run so machine noise hits both alike.
  const rounds = quick ? 150 : 500;
  const ours: number[] = [];
  const raw: number[] = [];
  for (let i = 0; i < rounds; i += 1) {
    const e = event(i);
    let t = performance.now();
    await ingestEvents(deps, admin, [e]);
    ours.push(performance.now() - t);
    t = performance.now();
    await db.send(
      new PutCommand({
        TableName: b.tableName,
        Item: { pk: `RAW#${e.id}`, sk: 'EVENT', rawJson: JSON.stringify(e) },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    await sqs.send(new SendMessageBatchCommand({ QueueUrl: b.queueUrl, Entries: [{ Id: '0', MessageBody: JSON.stringify({ eventId: e.id }) }] }));
    raw.push(performance.now() - t);
  }
  ours.sort((x, y) => x - y);
  raw.sort((x, y) => x - y);
  const p50 = percentile(ours, 50) / percentile(raw, 50);
  const p99 = percentile(ours, 99) / percentile(raw, 99);
  report({
    id: 'ingest.overhead',
    label: 'ingest p50 ÷ raw PutItem+SendMessageBatch p50',
    value: p50,
    unit: '×',
    goal: '≤ 1.3',
    ok: p50 <= 1.3,
    detail: { oursP50ms: percentile(ours, 50), rawP50ms: percentile(raw, 50), p99ratio: Math.round(p99 * 100) / 100, oursP99ms: percentile(ours, 99), rawP99ms: percentile(raw, 99) },
  });

  // 3. Matcher: ten rules, RE2 (re2js) vs the same patterns with V8 RegExp.
  const cached = await deps.rules.rulesFor(INSTANCE);
  const v8Rules: MatchableRule[] = cached.map((r) => {
    const re = new RegExp(`^(?:${r.tagPattern})$`);
    return { ...r, matchesTag: (tag: string) => re.test(tag) };
  });
  const events: MatchableEvent[] = Array.from({ length: 64 }, (_, i) => ({
    eventType: 'cr:Artifact:ScanCompleted',
    status: i % 2 ? 'FAILED' : 'SUCCESS',
    instanceId: INSTANCE,
    regionId: 'cn-hangzhou',
    namespace: 'team-a',
    repoName: 'api',
    tag: [`v1.${i}.0`, `release-${i}`, `abc${i}def`, 'latest', `nightly-2026112${i % 10}`][i % 5] ?? 'x',
  }));
  let k = 0;
  const bench = new Bench({ time: quick ? 300 : 1000 });
  bench.add('re2', () => {
    matchRules(cached, events[k++ & 63] as MatchableEvent);
  });
  bench.add('v8', () => {
    matchRules(v8Rules, events[k++ & 63] as MatchableEvent);
  });
  await bench.run();
  const [re2, v8] = bench.tasks.map((t) => (t.result.state === 'completed' ? t.result.latency.mean : Number.NaN));
  report({
    id: 'matcher.re2_vs_v8',
    label: 'matcher cost per event, 10 rules: RE2 ÷ V8 RegExp',
    value: (re2 ?? 0) / (v8 ?? 1),
    unit: '×',
    detail: { re2MicrosPerEvent: Math.round((re2 ?? 0) * 1000 * 100) / 100, v8MicrosPerEvent: Math.round((v8 ?? 0) * 1000 * 100) / 100 },
  });
  db.destroy();
  sqs.destroy();
}
