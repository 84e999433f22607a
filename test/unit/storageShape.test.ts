/** Every item codec round-trips, and a malformed stored item is refused with a message naming it. */
import { describe, expect, it } from 'vitest';
import {
  alertTargetFromItem,
  alertTargetToItem,
  apiKeyFromItem,
  apiKeyToItem,
  botStateFromItem,
  CorruptItemError,
  deliveriesOfPartition,
  deliveryRecord,
  eventFromItem,
  eventToItem,
  keys,
  mailFromItem,
  mailToItem,
  parsePageKey,
  parsePendingEntry,
  payloadFromItem,
  payloadToItem,
  planOf,
  ruleFromItem,
  ruleToItem,
  sessionFromItem,
  sessionToItem,
  sourceFromItem,
  sourceToItem,
  stateOfItem,
  toPlan,
} from '../../shared/adapters/dynamo/shape';
import type { MailItem } from '../../shared/services/chatbotPorts';
import type { StoredDelivery, StoredEvent } from '../../shared/services/eventStore';
import type { StoredRule } from '../../shared/services/ruleStore';

const event: StoredEvent = {
  eventId: 'e-1',
  eventType: 'cr:Artifact:BuildCompleted',
  status: 'FAILED',
  instanceId: 'cri-1',
  regionId: 'cn-hangzhou',
  namespace: 'team',
  repoName: 'api',
  tag: 'v1',
  time: '2026-01-01T00:00:00.000Z',
  receivedAt: '2026-01-01T00:00:01.000Z',
  expiresAt: '2026-01-08T00:00:01.000Z',
  hash: 'abc',
  rawJson: '{"id":"e-1"}',
  matchedRuleIds: ['r-1', 'r-2'],
  origin: { sourceId: 's-1', name: 'harbor', kind: 'harbor', index: 0, payloadId: 'p-1' },
};

const delivery = (ruleId: string): StoredDelivery => ({
  deliveryId: `d-${ruleId}`,
  eventId: event.eventId,
  ruleId,
  ruleName: `rule ${ruleId}`,
  instanceId: event.instanceId,
  method: 'dingtalk',
  notify: { method: 'dingtalk', webhookUrlMasked: 'https://x/***', sealedWebhookUrl: 'sealed', botId: 'bot-1' },
  template: '{{eventId}}',
  state: 'pending',
  attempts: [],
  createdAt: event.receivedAt,
  expiresAt: event.expiresAt,
});

const rule: StoredRule = {
  ruleId: 'r-1',
  instanceId: 'cri-1',
  ruleName: 'builds',
  regionId: 'cn-hangzhou',
  eventTypes: ['cr:Artifact:BuildCompleted'],
  eventStatuses: ['FAILED'],
  scope: { type: 'REPO', namespace: 'team', repoNames: ['api'] },
  tagPattern: '.*',
  notify: { method: 'https', url: 'https://example.com/hook', sealedSecret: 'sealed' },
  enabled: true,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  version: 3,
};

const mail: MailItem = {
  deliveryId: 'd-1',
  eventId: 'e-1',
  ruleId: 'r-1',
  instanceId: 'cri-1',
  enqueuedAt: 1_700_000_000_000,
  line: { eventId: 'e-1', eventType: 'cr:Artifact:BuildCompleted', status: 'FAILED', instanceId: 'cri-1', regionId: 'r', namespace: 'n', repoName: 'a', tag: 't', time: 'x', ruleName: 'builds' },
  sealedWebhookUrl: 'sealed',
  method: 'feishu',
  notBefore: 1_700_000_001_000,
};

describe('item codecs round-trip', () => {
  it('event (with its plan)', () => {
    const item = eventToItem(event, [delivery('r-1')]);
    expect(item).toMatchObject({ ...keys.event('e-1', 'cri-1'), gsi1pk: 'INST#cri-1#EVENTS', type: 'event', ttl: expect.any(Number) });
    expect(eventFromItem(item)).toEqual(event);
    expect([...planOf(item).values()]).toEqual([toPlan(delivery('r-1'))]);
  });

  it('delivery: the plan alone is pending; a state item overlays it', () => {
    const item = eventToItem(event, [delivery('r-1'), delivery('r-2')]);
    const attempt = { n: 1, at: '2026-01-01T00:00:02.000Z', durationMs: 5, outcome: 'failed' as const, httpStatus: 500 };
    const state = { ...keys.delivery('e-1', 'r-2'), type: 'delivery', state: 'failed', attempts: [attempt], attemptCount: 1, expiresAt: event.expiresAt, stateKey: 'x', ttl: 1 };
    expect(deliveriesOfPartition([item, state], String(item.sk))).toEqual([
      { ...toPlan(delivery('r-1')), state: 'pending', attempts: [], attemptCount: 0 },
      { ...toPlan(delivery('r-2')), state: 'failed', attempts: [attempt], attemptCount: 1 },
    ]);
    expect(stateOfItem(state)).toBe('failed');
  });

  it('delivery: a notify override on the state item replaces the planned target (and its method)', () => {
    const plan = toPlan(delivery('r-1'));
    const state = { ...keys.delivery('e-1', 'r-1'), type: 'delivery', state: 'pending', expiresAt: event.expiresAt };
    const toHttp = { method: 'https', url: 'https://example.com/fixed', sealedSecret: 'sealed2' };
    expect(deliveryRecord(plan, { ...state, notifyOverride: toHttp })).toMatchObject({ method: 'https', notify: toHttp, state: 'pending' });
    const toBot = { method: 'feishu', webhookUrlMasked: 'https://y/***', sealedWebhookUrl: 'sealed3', botId: 'bot-2' };
    expect(deliveryRecord(plan, { ...state, notifyOverride: toBot })).toMatchObject({ method: 'feishu', notify: toBot });
    expect(deliveryRecord(plan, { ...state, notifyOverride: toBot })).not.toHaveProperty('notifyOverride');
    // The state of a plan that is gone stays unreadable, override or not.
    expect(deliveryRecord(undefined, { ...state, notifyOverride: toHttp })).toBeUndefined();
  });

  it('rule', () => {
    expect(ruleFromItem(ruleToItem(rule))).toEqual(rule);
  });

  it('alert target', () => {
    expect(alertTargetFromItem(alertTargetToItem('cri-1', rule.notify, 'now'))).toEqual(rule.notify);
    expect(alertTargetFromItem(undefined)).toBeUndefined();
  });

  it('chatbot mail and state', () => {
    expect(mailFromItem(mailToItem('bot-1', mail, 123))).toEqual(mail);
    expect(botStateFromItem({ ...keys.botState('bot-1'), slots: { a: 5 }, ver: 2, ttl: 9 })).toEqual({ slots: { a: 5 }, ver: 2 });
    expect(botStateFromItem(undefined)).toEqual({});
  });

  it('API key, session, source, payload', () => {
    const apiKey = { keyId: 'k-1', name: 'ci', scopes: ['rules:read' as const], instanceIds: ['cri-1'], keyHash: 'h', createdAt: 'c', revokedAt: 'r' };
    expect(apiKeyFromItem(apiKeyToItem(apiKey))).toEqual(apiKey);
    for (const subject of [{ kind: 'admin' as const, adminDigest: 'd' }, { kind: 'key' as const, keyId: 'k-1' }]) {
      const session = { tokenHash: 't', subject, createdAt: '2026-01-01T00:00:00.000Z', expiresAt: '2026-01-02T00:00:00.000Z' };
      expect(sessionFromItem('t', sessionToItem(session))).toEqual(session);
    }
    const source = { sourceId: 's-1', instanceId: 'cri-1', name: 'harbor', kind: 'harbor' as const, regionId: 'r', tokenHash: 'h', createdAt: 'c' };
    expect(sourceFromItem(sourceToItem(source))).toEqual(source);
    const payload = { json: '{}', expiresAt: '2026-01-08T00:00:00.000Z' };
    expect(payloadFromItem(payloadToItem('p-1', payload))).toEqual(payload);
  });
});

describe('malformed items are refused, naming the item', () => {
  const cases: [string, () => unknown][] = [
    ['event', () => eventFromItem({ ...eventToItem(event), rawJson: 5 })],
    ['event plan', () => planOf({ ...eventToItem(event), plan: [{ ruleId: 'r-1' }] })],
    ['delivery', () => deliveryRecord(toPlan(delivery('r-1')), { ...keys.delivery('e-1', 'r-1'), state: 'lost', expiresAt: event.expiresAt })],
    ['rule', () => ruleFromItem({ ...ruleToItem(rule), scope: { type: 'GALAXY' } })],
    ['mail', () => mailFromItem({ ...mailToItem('bot-1', mail, 1), enqueuedAt: 'soon' })],
    ['chatbot state', () => botStateFromItem({ ...keys.botState('b'), slots: { a: 'later' } })],
    ['API key', () => apiKeyFromItem({ ...keys.apiKey('k'), keyId: 'k', name: 'n', scopes: ['root'], keyHash: 'h', createdAt: 'c' })],
    ['session', () => sessionFromItem('t', { ...keys.session('t'), subjectKind: 'key', createdAt: 'c', expiresAt: 'e' })],
    ['alert target', () => alertTargetFromItem({ ...keys.alertTarget('i'), notify: { method: 'http' } })],
  ];
  it.each(cases)('%s', (kind, read) => {
    expect(read).toThrow(CorruptItemError);
    expect(read).toThrow(new RegExp(`^stored ${kind} item .+ / .+ is corrupt: `));
  });

  it('a source of a kind this version does not speak reads as none, as before', () => {
    expect(sourceFromItem({ ...keys.source('s'), kind: 'quay' })).toBeUndefined();
  });
});

describe('key parsers', () => {
  it('reads pending-index entries of events, state items and (older) mail', () => {
    const shard = keys.pendingShardOf('e#1');
    expect(parsePendingEntry({ ...keys.event('e#1', 'cri-1'), ...keys.pendingEvent(shard, 'T1', 'e#1') })).toEqual({ eventId: 'e#1', instanceId: 'cri-1', queuedAt: 'T1' });
    expect(parsePendingEntry({ ...keys.event('e#1', undefined), ...keys.pendingEvent(shard, 'T1', 'e#1') })).toEqual({ eventId: 'e#1', queuedAt: 'T1' });
    expect(parsePendingEntry({ ...keys.delivery('e#1', 'r-1'), ...keys.pending(shard, 'T2', 'e#1', 'r-1') })).toEqual({ eventId: 'e#1', ruleId: 'r-1', queuedAt: 'T2' });
    expect(parsePendingEntry({ ...keys.mail('bot', 'd'), ...keys.pending(shard, 'T3', 'e#1', 'r-1') })).toEqual({ eventId: 'e#1', ruleId: 'r-1', queuedAt: 'T3', botId: 'bot' });
  });

  it('reads held entries and state keys', () => {
    expect(keys.parseHeld(keys.held('r-1', '2026-01-08T00:00:00.000Z', 'e#1').gsi3sk)).toEqual({ expiresAt: '2026-01-08T00:00:00.000Z', eventId: 'e#1' });
    expect(keys.parseStateKey(keys.stateKey('dead', 'T', 'e#1', 'r-1').stateKey)).toEqual({ state: 'dead', at: 'T', eventId: 'e#1', ruleId: 'r-1' });
  });

  it('accepts only resume keys this instance’s listing could have produced', () => {
    const history = { pk: 'EVENT#e', sk: 'EVENT#cri-1', ...keys.eventHistory('cri-1', 'T', 'e') };
    expect(parsePageKey(history, 'cri-1', undefined)).toEqual(history);
    expect(parsePageKey(history, 'cri-2', undefined)).toBeUndefined();
    expect(parsePageKey({ ...history, gsi1sk: 5 }, 'cri-1', undefined)).toBeUndefined();
    const byState = { pk: 'EVENT#e', sk: 'DELIVERY#r', instanceId: 'cri-1', ...keys.stateKey('failed', 'T', 'e', 'r') };
    expect(parsePageKey(byState, 'cri-1', 'failed')).toEqual(byState);
    expect(parsePageKey(byState, 'cri-1', 'dead')).toBeUndefined();
    expect(parsePageKey(byState, 'cri-2', 'failed')).toBeUndefined();
  });
});
