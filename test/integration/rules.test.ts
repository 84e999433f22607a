/** SPEC §4 "Rules" through the HTTP layer, against DynamoDB Local. */
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKeysHandler } from '../../functions/apiKeys';
import { createRulesHandler } from '../../functions/rules';
import { createTestTable } from '../support/dynamo';
import type { TestTable } from '../support/dynamo';
import { bearer, call } from '../support/http';
import type { Reply } from '../support/http';
import { ADMIN_KEY, testRuntime } from '../support/app';

let table: TestTable;
let rules: ReturnType<typeof createRulesHandler>;
let strictRules: ReturnType<typeof createRulesHandler>;
let apiKeys: ReturnType<typeof createApiKeysHandler>;

const INSTANCE = 'cri-abc123';
const base = `/v1/instances/${INSTANCE}/rules`;
const TOKEN = 'tok0123456789abcdefSECRETtoken9876';
const DING_SECRET = 'SEC0123456789abcdef0123456789abcdef';
const WHSEC = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;
let counter = 0;

function rule(overrides: Record<string, unknown> = {}) {
  counter += 1;
  return {
    ruleName: `rule-${counter}`,
    regionId: 'cn-hangzhou',
    eventTypes: ['cr:Artifact:ScanCompleted'],
    eventStatuses: ['FAILED'],
    scope: { type: 'REPO', namespace: 'team-a', repoNames: ['api', 'web'] },
    tagPattern: 'v[0-9]+\\..*',
    notify: { method: 'dingtalk', webhookUrl: `https://oapi.dingtalk.com/robot/send?access_token=${TOKEN}`, secret: DING_SECRET },
    template: '### {{eventType}} {{status}}\n{{namespace}}/{{repoName}}:{{tag}}',
    enabled: true,
    ...overrides,
  };
}

const post = (body: unknown, path = base, key = ADMIN_KEY) => call(rules, { method: 'POST', path, headers: bearer(key), body: body as object });
const errorOf = (reply: Reply) =>
  (reply.json as { error: { code: string; details?: { path: string; message: string }[] } }).error;

beforeAll(async () => {
  table = await createTestTable('rules');
  const publicLookup = async (host: string) => {
    if (host === 'hooks.example.com') return ['93.184.216.34'];
    if (host === 'rebind.example.com') return ['93.184.216.34', '10.0.0.7'];
    if (host === 'internal.example.com') return ['192.168.1.20'];
    const error = new Error(`getaddrinfo ENOTFOUND ${host}`) as Error & { code: string };
    error.code = 'ENOTFOUND';
    throw error;
  };
  const rt = testRuntime(table);
  rules = createRulesHandler(rt);
  apiKeys = createApiKeysHandler(rt);
  strictRules = createRulesHandler(testRuntime(table, { env: { ALLOW_PRIVATE_TARGETS: 'false' }, lookup: publicLookup }));
});
afterAll(() => table.drop());

describe('create, read, list', () => {
  it('creates a rule with Location, ETag, and every field; secrets masked', async () => {
    const reply = await post(rule({ ruleName: 'scan-alerts' }));
    expect(reply.status).toBe(201);
    const body = reply.json as Record<string, unknown>;
    expect(body.ruleId).toMatch(/^crecr-[a-z0-9]{16}$/);
    expect(reply.headers.location).toBe(`${base}/${String(body.ruleId)}`);
    expect(reply.headers.etag).toBe('"1"');
    expect(body).toMatchObject({
      instanceId: INSTANCE,
      ruleName: 'scan-alerts',
      regionId: 'cn-hangzhou',
      eventTypes: ['cr:Artifact:ScanCompleted'],
      eventStatuses: ['FAILED'],
      scope: { type: 'REPO', namespace: 'team-a', repoNames: ['api', 'web'] },
      tagPattern: 'v[0-9]+\\..*',
      notify: { method: 'dingtalk', webhookUrl: 'https://oapi.dingtalk.com/robot/send?access_token=****9876', secretSet: true },
      enabled: true,
      version: 1,
    });
    expect(body.createdAt).toBe(body.updatedAt);
    for (const reply2 of [reply, await call(rules, { path: `${base}/${String(body.ruleId)}`, headers: bearer(ADMIN_KEY) }), await call(rules, { path: base, headers: bearer(ADMIN_KEY) })]) {
      expect(reply2.status).toBeLessThan(300);
      expect(reply2.text).not.toContain(TOKEN);
      expect(reply2.text).not.toContain(DING_SECRET);
    }
    const got = await call(rules, { path: `${base}/${String(body.ruleId)}`, headers: bearer(ADMIN_KEY) });
    expect(got.json).toEqual(body);
    expect(got.headers.etag).toBe('"1"');
  });

  it('defaults: tagPattern .*, enabled true, all statuses; HTTP targets keep their URL', async () => {
    const reply = await post({
      ruleName: 'hook',
      regionId: 'cn-hangzhou',
      eventTypes: ['cr:Artifact:BuildCompleted'],
      scope: { type: 'INSTANCE' },
      notify: { method: 'https', url: 'https://127.0.0.1:8443/hook?x=1', secret: WHSEC },
    });
    expect(reply.status).toBe(201);
    expect(reply.json).toMatchObject({ tagPattern: '.*', enabled: true, notify: { method: 'https', url: 'https://127.0.0.1:8443/hook?x=1', secretSet: true } });
    expect(reply.json).not.toHaveProperty('eventStatuses');
    expect(reply.text).not.toContain(WHSEC);
  });

  it('unknown rule → 404 RuleNotFound; malformed ids → 400', async () => {
    const missing = await call(rules, { path: `${base}/crecr-0000000000000000`, headers: bearer(ADMIN_KEY) });
    expect(missing.status).toBe(404);
    expect(errorOf(missing).code).toBe('RuleNotFound');
    const bad = await call(rules, { path: `${base}/nope`, headers: bearer(ADMIN_KEY) });
    expect(errorOf(bad).details?.[0]?.path).toBe('path.ruleId');
    const badInstance = await call(rules, { path: '/v1/instances/abc/rules', headers: bearer(ADMIN_KEY) });
    expect(errorOf(badInstance).details?.[0]?.path).toBe('path.instanceId');
  });

  it('stores secrets sealed: a table dump reveals no token or secret', async () => {
    await post(rule({ notify: { method: 'https', url: 'https://127.0.0.1/x', secret: WHSEC } }));
    const dump = JSON.stringify(await table.db.send(new ScanCommand({ TableName: table.tableName })));
    expect(dump).toContain('crecr-');
    for (const secret of [TOKEN, DING_SECRET, WHSEC, WHSEC.slice(6)]) expect(dump).not.toContain(secret);
  });
});

describe('validation', () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ['ruleName pattern', { ruleName: '-bad' }, 'ruleName'],
    ['ruleName length', { ruleName: 'a'.repeat(65) }, 'ruleName'],
    ['regionId pattern', { regionId: 'Hangzhou' }, 'regionId'],
    ['no eventTypes', { eventTypes: [] }, 'eventTypes'],
    ['unknown eventType', { eventTypes: ['cr:Artifact:Pushed'] }, 'eventTypes.0'],
    ['duplicate eventTypes', { eventTypes: ['cr:Artifact:ScanCompleted', 'cr:Artifact:ScanCompleted'] }, 'eventTypes'],
    ['status not valid for the types', { eventTypes: ['cr:Artifact:ScanCompleted'], eventStatuses: ['CANCELED'] }, 'eventStatuses.0'],
    ['unknown status', { eventStatuses: ['OK'] }, 'eventStatuses.0'],
    ['scope type', { scope: { type: 'TEAM' } }, 'scope.type'],
    ['namespaces empty', { scope: { type: 'NAMESPACE', namespaces: [] } }, 'scope.namespaces'],
    ['namespace grammar', { scope: { type: 'NAMESPACE', namespaces: ['ok', 'Bad_'] } }, 'scope.namespaces.1'],
    ['namespace too long', { scope: { type: 'NAMESPACE', namespaces: ['a'.repeat(129)] } }, 'scope.namespaces.0'],
    ['too many repos', { scope: { type: 'REPO', namespace: 'ns', repoNames: Array.from({ length: 21 }, (_, i) => `r${i}`) } }, 'scope.repoNames'],
    ['repo grammar', { scope: { type: 'REPO', namespace: 'ns', repoNames: ['a..b'] } }, 'scope.repoNames.0'],
    ['extra scope field', { scope: { type: 'INSTANCE', namespaces: ['a'] } }, 'scope.namespaces'],
    ['backreference', { tagPattern: '(a)\\1' }, 'tagPattern'],
    ['lookahead', { tagPattern: '(?=v)v.*' }, 'tagPattern'],
    ['pattern too long', { tagPattern: 'a'.repeat(257) }, 'tagPattern'],
    ['unknown placeholder', { template: 'hi {{user}}' }, 'template'],
    ['template too large', { template: 'x'.repeat(4097) }, 'template'],
    ['notify method', { notify: { method: 'email', to: 'a@b' } }, 'notify.method'],
    ['dingtalk prefix', { notify: { method: 'dingtalk', webhookUrl: 'https://evil.example.com/robot/send?access_token=x' } }, 'notify.webhookUrl'],
    ['dingtalk path suffix', { notify: { method: 'dingtalk', webhookUrl: 'https://oapi.dingtalk.com/robot/sendx?access_token=x' } }, 'notify.webhookUrl'],
    ['dingtalk token', { notify: { method: 'dingtalk', webhookUrl: 'https://oapi.dingtalk.com/robot/send?access_token=' } }, 'notify.webhookUrl'],
    ['scheme vs method', { notify: { method: 'https', url: 'http://127.0.0.1/x' } }, 'notify.url'],
    ['credentials in URL', { notify: { method: 'https', url: 'https://u:p@127.0.0.1/x' } }, 'notify.url'],
    ['fragment in URL', { notify: { method: 'http', url: 'http://127.0.0.1/x#frag' } }, 'notify.url'],
    ['not a URL', { notify: { method: 'http', url: 'not a url' } }, 'notify.url'],
    ['webhook secret format', { notify: { method: 'https', url: 'https://127.0.0.1/x', secret: 'plain' } }, 'notify.secret'],
    ['webhook secret too short', { notify: { method: 'https', url: 'https://127.0.0.1/x', secret: 'whsec_AAAA' } }, 'notify.secret'],
    ['unknown field', { owner: 'me' }, 'owner'],
    ['enabled type', { enabled: 'yes' }, 'enabled'],
  ];
  it.each(cases)('%s → 400 ValidationFailed at %s', async (_name, overrides, path) => {
    const reply = await post(rule(overrides));
    expect(reply.status).toBe(400);
    expect(errorOf(reply).code).toBe('ValidationFailed');
    expect(errorOf(reply).details?.map((d) => d.path)).toContain(path);
  });

  it('a missing required field is named', async () => {
    const { ruleName: _r, ...rest } = rule();
    expect(errorOf(await post(rest)).details?.map((d) => d.path)).toEqual(['ruleName']);
  });

  it('unsupported region → 400 RegionNotSupported', async () => {
    const reply = await post(rule({ regionId: 'eu-west-1' }));
    expect(reply.status).toBe(400);
    expect(errorOf(reply).code).toBe('RegionNotSupported');
  });

  it('duplicate name on one instance → 409 RuleNameConflict; same name elsewhere is fine', async () => {
    expect((await post(rule({ ruleName: 'twin' }))).status).toBe(201);
    const again = await post(rule({ ruleName: 'twin' }));
    expect(again.status).toBe(409);
    expect(errorOf(again).code).toBe('RuleNameConflict');
    expect((await post(rule({ ruleName: 'twin' }), '/v1/instances/cri-other42/rules')).status).toBe(201);
  });
});

describe('quota and names under concurrency', () => {
  it('12 truly concurrent creates in one region give exactly the quota (10); a delete frees a slot', async () => {
    const replies = await Promise.all(Array.from({ length: 12 }, (_, i) => post(rule({ regionId: 'cn-beijing' }), `/v1/instances/cri-q${i}aaaa/rules`)));
    const created = replies.filter((r) => r.status === 201);
    expect(created).toHaveLength(10);
    expect(replies.filter((r) => r.status === 409).map((r) => errorOf(r).code)).toEqual(['RuleLimitExceeded', 'RuleLimitExceeded']);
    const victim = created[0]?.json as { ruleId: string; instanceId: string };
    const del = await call(rules, { method: 'DELETE', path: `/v1/instances/${victim.instanceId}/rules/${victim.ruleId}`, headers: bearer(ADMIN_KEY) });
    expect(del.status).toBe(204);
    expect((await post(rule({ regionId: 'cn-beijing' }))).status).toBe(201);
    expect((await post(rule({ regionId: 'cn-beijing' }))).status).toBe(409);
  });

  it('the quota 409 says the quota is shared by every instance in the region', async () => {
    for (let i = 0; i < 10; i += 1) expect((await post(rule({ regionId: 'cn-heyuan' }), `/v1/instances/cri-share${i}aa/rules`)).status).toBe(201);
    const refused = await post(rule({ regionId: 'cn-heyuan' }), '/v1/instances/cri-sharezzz/rules');
    expect(refused.status).toBe(409);
    expect(errorOf(refused)).toMatchObject({
      code: 'RuleLimitExceeded',
      message: expect.stringMatching(/Region cn-heyuan already has the maximum of 10 rules\. The quota is shared by every instance in the region/),
    });
  });

  it('8 concurrent creates of one name on one instance: exactly one wins', async () => {
    const replies = await Promise.all(Array.from({ length: 8 }, () => post(rule({ ruleName: 'racer', regionId: 'cn-shenzhen' }))));
    expect(replies.filter((r) => r.status === 201)).toHaveLength(1);
    expect(replies.filter((r) => r.status === 409).every((r) => errorOf(r).code === 'RuleNameConflict')).toBe(true);
  });
});

describe('PATCH and DELETE', () => {
  async function created(overrides: Record<string, unknown> = {}) {
    const reply = await post(rule({ regionId: 'cn-qingdao', ...overrides }));
    expect(reply.status).toBe(201);
    return reply.json as { ruleId: string; version: number };
  }

  it('merges top-level fields, bumps version and ETag; an absent notify keeps the secret', async () => {
    const { ruleId } = await created();
    const reply = await call(rules, { method: 'PATCH', path: `${base}/${ruleId}`, headers: bearer(ADMIN_KEY), body: { enabled: false, tagPattern: 'release-.*' } });
    expect(reply.status).toBe(200);
    expect(reply.headers.etag).toBe('"2"');
    expect(reply.json).toMatchObject({ enabled: false, tagPattern: 'release-.*', version: 2, eventStatuses: ['FAILED'], notify: { method: 'dingtalk', secretSet: true } });
  });

  it('a given notify replaces the whole block (secret dropped when not given)', async () => {
    const { ruleId } = await created();
    const reply = await call(rules, {
      method: 'PATCH',
      path: `${base}/${ruleId}`,
      headers: bearer(ADMIN_KEY),
      body: { notify: { method: 'dingtalk', webhookUrl: 'https://oapi.dingtalk.com/robot/send?access_token=newtokenWXYZ' } },
    });
    expect(reply.json).toMatchObject({ notify: { method: 'dingtalk', webhookUrl: 'https://oapi.dingtalk.com/robot/send?access_token=****WXYZ', secretSet: false } });
  });

  it('null clears eventStatuses/template; the merged rule is re-validated', async () => {
    const { ruleId } = await created();
    const cleared = await call(rules, { method: 'PATCH', path: `${base}/${ruleId}`, headers: bearer(ADMIN_KEY), body: { eventStatuses: null, template: null } });
    expect(cleared.json).not.toHaveProperty('eventStatuses');
    expect(cleared.json).not.toHaveProperty('template');
    const invalid = await call(rules, { method: 'PATCH', path: `${base}/${ruleId}`, headers: bearer(ADMIN_KEY), body: { eventStatuses: ['DENIED'] } });
    expect(invalid.status).toBe(400);
    expect(errorOf(invalid).details?.[0]?.path).toBe('eventStatuses.0');
  });

  it('If-Match: current ETag succeeds, stale → 412 PreconditionFailed', async () => {
    const { ruleId } = await created();
    const ok = await call(rules, { method: 'PATCH', path: `${base}/${ruleId}`, headers: { ...bearer(ADMIN_KEY), 'if-match': '"1"' }, body: { enabled: false } });
    expect(ok.status).toBe(200);
    const stale = await call(rules, { method: 'PATCH', path: `${base}/${ruleId}`, headers: { ...bearer(ADMIN_KEY), 'if-match': '"1"' }, body: { enabled: true } });
    expect(stale.status).toBe(412);
    expect(errorOf(stale).code).toBe('PreconditionFailed');
    const staleDelete = await call(rules, { method: 'DELETE', path: `${base}/${ruleId}`, headers: { ...bearer(ADMIN_KEY), 'if-match': '"1"' } });
    expect(staleDelete.status).toBe(412);
    const del = await call(rules, { method: 'DELETE', path: `${base}/${ruleId}`, headers: { ...bearer(ADMIN_KEY), 'if-match': 'W/"2"' } });
    expect(del.status).toBe(204);
    expect((await call(rules, { path: `${base}/${ruleId}`, headers: bearer(ADMIN_KEY) })).status).toBe(404);
    expect((await call(rules, { method: 'DELETE', path: `${base}/${ruleId}`, headers: bearer(ADMIN_KEY) })).status).toBe(404);
  });

  it('renaming moves the name lock: the old name is free, a taken name conflicts', async () => {
    const a = await created({ ruleName: 'old-name' });
    await created({ ruleName: 'taken-name' });
    const renamed = await call(rules, { method: 'PATCH', path: `${base}/${a.ruleId}`, headers: bearer(ADMIN_KEY), body: { ruleName: 'new-name' } });
    expect(renamed.status).toBe(200);
    expect((await post(rule({ ruleName: 'old-name', regionId: 'cn-qingdao' }))).status).toBe(201);
    const conflict = await call(rules, { method: 'PATCH', path: `${base}/${a.ruleId}`, headers: bearer(ADMIN_KEY), body: { ruleName: 'taken-name' } });
    expect(errorOf(conflict).code).toBe('RuleNameConflict');
  });
});

describe('scoped keys', () => {
  it('read vs write scopes, and other instances → 403', async () => {
    const mk = async (scopes: string[], instanceIds: string[]) =>
      ((await call(apiKeys, { method: 'POST', path: '/v1/api-keys', headers: bearer(ADMIN_KEY), body: { name: 'k', scopes, instanceIds } })).json as { apiKey: string }).apiKey;
    const reader = await mk(['rules:read'], [INSTANCE]);
    const writer = await mk(['rules:write'], [INSTANCE]);
    expect((await call(rules, { path: base, headers: bearer(reader) })).status).toBe(200);
    expect((await post(rule({ regionId: 'cn-chengdu' }), base, reader)).status).toBe(403);
    const made = await post(rule({ regionId: 'cn-chengdu' }), base, writer);
    expect(made.status).toBe(201);
    expect((await call(rules, { path: base, headers: bearer(writer) })).status).toBe(403);
    expect((await call(rules, { path: '/v1/instances/cri-zzz999/rules', headers: bearer(reader) })).status).toBe(403);
    expect((await post(rule({ regionId: 'cn-chengdu' }), '/v1/instances/cri-zzz999/rules', writer)).status).toBe(403);
  });
});

describe('targets when private targets are not allowed', () => {
  const refused = [
    'http://127.0.0.1/x',
    'http://2130706433/x',
    'http://0x7f000001/x',
    'http://127.1/x',
    'http://017700000001/x',
    'http://[::ffff:127.0.0.1]/x',
    'http://[::1]/x',
    'http://localhost/x',
    'http://10.1.2.3/x',
    'http://172.16.0.1/x',
    'http://192.168.0.1/x',
    'http://169.254.169.254/latest/meta-data',
    'http://100.64.0.1/x',
    'http://224.0.0.1/x',
    'http://0.0.0.0/x',
    'http://[fd00::1]/x',
    'http://[fe80::1]/x',
    'http://internal.example.com/x',
    'http://rebind.example.com/x',
  ];
  it.each(refused)('%s → 400 TargetNotAllowed', async (url) => {
    const reply = await call(strictRules, {
      method: 'POST',
      path: base,
      headers: bearer(ADMIN_KEY),
      body: rule({ regionId: 'cn-wuhan', notify: { method: 'http', url } }),
    });
    expect(reply.status).toBe(400);
    expect(errorOf(reply).code).toBe('TargetNotAllowed');
  });

  it('accepts a public hostname, a public IP, and a name that does not resolve right now', async () => {
    for (const url of ['https://hooks.example.com/registry', 'https://93.184.216.34/x', 'https://not-yet.example.net/x']) {
      const reply = await call(strictRules, { method: 'POST', path: base, headers: bearer(ADMIN_KEY), body: rule({ regionId: 'cn-wuhan', notify: { method: 'https', url } }) });
      expect(reply.status, url).toBe(201);
    }
  });

  it('checks DingTalk hosts too (the prefix is configurable)', async () => {
    const rt = testRuntime(table, { env: { ALLOW_PRIVATE_TARGETS: 'false', DINGTALK_WEBHOOK_PREFIX: 'http://127.0.0.1:9/robot/send' } });
    const reply = await call(createRulesHandler(rt), {
      method: 'POST',
      path: base,
      headers: bearer(ADMIN_KEY),
      body: rule({ regionId: 'cn-wuhan', notify: { method: 'dingtalk', webhookUrl: 'http://127.0.0.1:9/robot/send?access_token=a' } }),
    });
    expect(errorOf(reply).code).toBe('TargetNotAllowed');
  });
});
