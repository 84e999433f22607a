/** Rule use cases: create, read, list, update (PATCH), delete — SPEC §4 "Rules". */
import { createHash } from 'node:crypto';
import type { SecretSealer } from './secretSealerPort';
import {
  preconditionFailed,
  regionNotSupported,
  ruleLimitExceeded,
  ruleNameConflict,
  ruleNotFound,
  validationFailed,
} from '../domain/errors';
import type { CreateRuleRequest, MaskedNotify, Notify, RegionQuota, RuleView, UpdateRuleRequest } from '../domain/rules';
import type { ChatMethod } from '../domain/chatMethods';
import { chatTarget } from '../targets/registry';
import { issuesToDetails } from '../domain/validation';
import { mergedRuleSchema } from '../domain/ruleSchemas';
import { chatBotKey, checkNotifyTarget } from './notifyTarget';
import type { HostCheck } from './notifyTarget';
import type { RuleStore, RuleWriteOutcome, StoredNotify, StoredRule } from './ruleStore';
import { isChatNotify } from './ruleStore';
import { randomId } from './apiKeys';
import { sealContext } from './sealContext';
import { endHeldOfDeletedRule, healthView, resumeRule } from './ruleHealth';
import type { ResumeDeps } from './ruleHealth';
import type { RuleHealthStore, StoredRuleHealth } from './ruleHealthPorts';

export { sealContext };

export interface RuleServiceDeps {
  store: RuleStore;
  sealer: SecretSealer;
  checkHost: HostCheck;
  settings: {
    maxRulesPerRegion: number;
    unsupportedRegions: ReadonlySet<string>;
    dingtalkWebhookPrefix: string;
    chatPrefixes?: Partial<Record<Exclude<ChatMethod, 'dingtalk'>, string[]>>;
  };
  now?: () => Date;
  newRuleId?: () => string;
  /** Rule health (SPEC §13): read beside every rule, dropped with it. */
  health: Pick<RuleHealthStore, 'get' | 'listOf' | 'remove'>;
  /** Editing a rule's target resumes it (SPEC §13): what is held is re-queued. */
  resume?: Omit<ResumeDeps, 'rules'>;
}

const MAX_WRITE_ATTEMPTS = 5;

export const etagOf = (version: number) => `"${version}"`;

/** If-Match: `*` or a list of (possibly weak) ETags. */
export function ifMatchAllows(header: string | undefined, version: number): boolean {
  if (header === undefined || header.trim() === '') return true;
  return header
    .split(',')
    .map((t) => t.trim().replace(/^W\//, ''))
    .some((t) => t === '*' || t === etagOf(version));
}

export function botIdOf(webhookUrl: URL): string {
  const token = webhookUrl.searchParams.get('access_token') ?? '';
  return createHash('sha256').update(token).digest('hex').slice(0, 32);
}

/** A stored target as reads show it: secrets become `secretSet`, a chat webhook's credential masked. */
export function notifyView(n: StoredNotify): MaskedNotify {
  return isChatNotify(n)
    ? { method: n.method, webhookUrl: n.webhookUrlMasked, secretSet: n.sealedSecret !== undefined }
    : { method: n.method, url: n.url, secretSet: n.sealedSecret !== undefined };
}

export function toView(rule: StoredRule, health: StoredRuleHealth | undefined, nowMs: number): RuleView {
  const notify = notifyView(rule.notify);
  return {
    ruleId: rule.ruleId,
    instanceId: rule.instanceId,
    ruleName: rule.ruleName,
    regionId: rule.regionId,
    eventTypes: rule.eventTypes,
    ...(rule.eventStatuses ? { eventStatuses: rule.eventStatuses } : {}),
    scope: rule.scope,
    tagPattern: rule.tagPattern,
    notify,
    ...(rule.template !== undefined ? { template: rule.template } : {}),
    enabled: rule.enabled,
    createdAt: rule.createdAt,
    updatedAt: rule.updatedAt,
    version: rule.version,
    health: healthView(health, nowMs),
  };
}

const nowMsOf = (deps: RuleServiceDeps) => (deps.now?.() ?? new Date()).getTime();

export async function sealNotify(deps: RuleServiceDeps, instanceId: string, ruleId: string, notify: Notify): Promise<StoredNotify> {
  const targetDeps = { dingtalkWebhookPrefix: deps.settings.dingtalkWebhookPrefix, chatPrefixes: deps.settings.chatPrefixes, checkHost: deps.checkHost };
  const url = await checkNotifyTarget(notify, targetDeps);
  const secret = 'secret' in notify ? notify.secret : undefined;
  const sealedSecret = secret !== undefined ? await deps.sealer.seal(secret, sealContext(instanceId, ruleId, 'secret')) : undefined;
  if (notify.method !== 'http' && notify.method !== 'https') {
    const key = chatBotKey(notify.method, url, targetDeps);
    return {
      method: notify.method,
      webhookUrlMasked: chatTarget(notify.method).mask(notify.webhookUrl),
      sealedWebhookUrl: await deps.sealer.seal(notify.webhookUrl, sealContext(instanceId, ruleId, 'webhookUrl')),
      ...(sealedSecret ? { sealedSecret } : {}),
      // DingTalk's bot id stays what it always was; the others are namespaced by provider.
      botId: notify.method === 'dingtalk' ? botIdOf(url) : createHash('sha256').update(`${notify.method}\n${key}`).digest('hex').slice(0, 32),
    };
  }
  return { method: notify.method, url: notify.url, ...(sealedSecret ? { sealedSecret } : {}) };
}

function checkRegion(deps: RuleServiceDeps, regionId: string): void {
  if (deps.settings.unsupportedRegions.has(regionId)) throw regionNotSupported(regionId);
}

function throwFor(outcome: RuleWriteOutcome, rule: StoredRule, deps: RuleServiceDeps): void {
  if (outcome.ok) return;
  if (outcome.failed === 'nameLock') throw ruleNameConflict(rule.ruleName);
  if (outcome.failed === 'quota') throw ruleLimitExceeded(rule.regionId, deps.settings.maxRulesPerRegion);
}

export async function createRule(deps: RuleServiceDeps, instanceId: string, request: CreateRuleRequest): Promise<RuleView> {
  checkRegion(deps, request.regionId);
  const ruleId = deps.newRuleId?.() ?? `crecr-${randomId(16)}`;
  const notify = await sealNotify(deps, instanceId, ruleId, request.notify);
  const at = (deps.now?.() ?? new Date()).toISOString();
  const rule: StoredRule = {
    ruleId,
    instanceId,
    ruleName: request.ruleName,
    regionId: request.regionId,
    eventTypes: request.eventTypes,
    ...(request.eventStatuses ? { eventStatuses: request.eventStatuses } : {}),
    scope: request.scope,
    tagPattern: request.tagPattern ?? '.*',
    notify,
    ...(request.template !== undefined ? { template: request.template } : {}),
    enabled: request.enabled ?? true,
    createdAt: at,
    updatedAt: at,
    version: 1,
  };
  const outcome = await deps.store.create(rule, deps.settings.maxRulesPerRegion);
  throwFor(outcome, rule, deps);
  if (!outcome.ok) throw new Error(`rule create failed on ${outcome.failed}`);
  return toView(rule, undefined, nowMsOf(deps));
}

async function load(deps: RuleServiceDeps, instanceId: string, ruleId: string): Promise<StoredRule> {
  const rule = await deps.store.get(instanceId, ruleId);
  if (!rule) throw ruleNotFound(ruleId);
  return rule;
}

export async function getRule(deps: RuleServiceDeps, instanceId: string, ruleId: string): Promise<RuleView> {
  const [rule, health] = await Promise.all([load(deps, instanceId, ruleId), deps.health.get(instanceId, ruleId)]);
  return toView(rule, health, nowMsOf(deps));
}

export async function listRules(deps: RuleServiceDeps, instanceId: string): Promise<RuleView[]> {
  // Two Queries of the instance's partition, never a scan: the rules, and their health items.
  const [rules, health] = await Promise.all([deps.store.list(instanceId), deps.health.listOf(instanceId)]);
  const nowMs = nowMsOf(deps);
  return rules
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.ruleId.localeCompare(b.ruleId))
    .map((rule) => toView(rule, health.get(rule.ruleId), nowMs));
}

/** Quota use of each region the instance's rules are in (the quota is shared by every instance of a region). */

export async function regionQuotas(deps: RuleServiceDeps, rules: readonly Pick<RuleView, 'regionId'>[]): Promise<RegionQuota[]> {
  const regions = [...new Set(rules.map((r) => r.regionId))].sort();
  return Promise.all(regions.map(async (regionId) => ({ regionId, used: await deps.store.regionUsage(regionId), limit: deps.settings.maxRulesPerRegion })));
}

export async function updateRule(
  deps: RuleServiceDeps,
  instanceId: string,
  ruleId: string,
  patch: UpdateRuleRequest,
  ifMatch: string | undefined,
): Promise<RuleView> {
  for (let attempt = 1; ; attempt += 1) {
    const current = await load(deps, instanceId, ruleId);
    if (!ifMatchAllows(ifMatch, current.version)) throw preconditionFailed();

    const merged = {
      ruleName: patch.ruleName ?? current.ruleName,
      regionId: patch.regionId ?? current.regionId,
      eventTypes: patch.eventTypes ?? current.eventTypes,
      ...(patch.eventStatuses === null ? {} : { eventStatuses: patch.eventStatuses ?? current.eventStatuses }),
      scope: patch.scope ?? current.scope,
      tagPattern: patch.tagPattern ?? current.tagPattern,
      ...(patch.template === null ? {} : { template: patch.template ?? current.template }),
      enabled: patch.enabled ?? current.enabled,
    };
    const checked = await mergedRuleSchema.safeParseAsync(JSON.parse(JSON.stringify(merged)) as unknown);
    if (!checked.success) throw validationFailed(issuesToDetails(checked.error.issues));
    if (merged.regionId !== current.regionId) checkRegion(deps, merged.regionId);
    const notify = patch.notify ? await sealNotify(deps, instanceId, ruleId, patch.notify) : current.notify;

    const next: StoredRule = {
      ...checked.data,
      tagPattern: checked.data.tagPattern ?? '.*',
      enabled: checked.data.enabled ?? true,
      ruleId,
      instanceId,
      notify,
      createdAt: current.createdAt,
      updatedAt: (deps.now?.() ?? new Date()).toISOString(),
      version: current.version + 1,
    };
    const outcome = await deps.store.replace(current, next, deps.settings.maxRulesPerRegion);
    if (outcome.ok) {
      if (patch.notify && deps.resume) await resumeRule({ ...deps.resume, rules: { get: () => Promise.resolve(next) } }, instanceId, ruleId);
      return toView(next, await deps.health.get(instanceId, ruleId), nowMsOf(deps));
    }
    throwFor(outcome, next, deps);
    // Someone else wrote in between: with If-Match that is a failed precondition; without, merge again.
    if (ifMatch !== undefined && ifMatch.trim() !== '') throw preconditionFailed();
    if (attempt >= MAX_WRITE_ATTEMPTS) throw new Error(`rule update kept conflicting (${outcome.failed})`);
  }
}

export async function deleteRule(deps: RuleServiceDeps, instanceId: string, ruleId: string, ifMatch: string | undefined): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    const current = await load(deps, instanceId, ruleId);
    if (!ifMatchAllows(ifMatch, current.version)) throw preconditionFailed();
    const outcome = await deps.store.remove(current);
    if (outcome.ok) {
      await deps.health.remove(instanceId, ruleId);
      if (deps.resume) await endHeldOfDeletedRule(deps.resume, instanceId, ruleId);
      return;
    }
    if (ifMatch !== undefined && ifMatch.trim() !== '') throw preconditionFailed();
    if (attempt >= MAX_WRITE_ATTEMPTS) throw new Error(`rule delete kept conflicting (${outcome.failed})`);
  }
}
