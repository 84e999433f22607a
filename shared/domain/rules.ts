/**
 * Event rules (SPEC §4 "Rules", §5): the tag-pattern engine, the read shape and masking.
 * The request schemas live in ruleSchemas.ts, so what ingest and delivery import from
 * here (the pattern compiler, types) does not build them. Pure: target reachability
 * (DNS) and secrets live in the service.
 */
import type { Scope } from './ruleSchemas';
import type { ChatMethod } from './chatMethods';

export type { CreateRuleRequest, Notify, Scope, UpdateRuleRequest } from './ruleSchemas';

export { tagMatcher, tagPatternProblem, TAG_PATTERN_MAX, TEMPLATE_MAX_BYTES, WEBHOOK_SECRET } from './ruleGrammar';

/** A notify block as read back: secrets become `secretSet`, a chat webhook's credential part is masked. */
export type MaskedNotify =
  | { method: ChatMethod; webhookUrl: string; secretSet: boolean }
  | { method: 'http'; url: string; secretSet: boolean }
  | { method: 'https'; url: string; secretSet: boolean };

/** A rule as the API returns it (secrets masked); documented by shared/http/responseSchemas.ts. */
import type { RuleHealthView } from './circuitBreaker';

export interface RuleView {
  ruleId: string;
  instanceId: string;
  ruleName: string;
  regionId: string;
  eventTypes: string[];
  eventStatuses?: string[] | undefined;
  scope: Scope;
  tagPattern: string;
  notify: MaskedNotify;
  template?: string | undefined;
  enabled: boolean;
  createdAt: string;
  updatedAt: string;
  version: number;
  health: RuleHealthView;
}

/** Rules in a region across every instance, against the quota (MAX_RULES_PER_REGION). */
export interface RegionQuota {
  regionId: string;
  used: number;
  limit: number;
}

/** Masks a DingTalk webhook URL's access_token to its last 4 characters. */
export function maskDingTalkUrl(webhookUrl: string): string {
  try {
    const url = new URL(webhookUrl);
    const token = url.searchParams.get('access_token') ?? '';
    url.searchParams.set('access_token', `****${token.slice(-4)}`);
    return url.toString().replace('%2A%2A%2A%2A', '****');
  } catch {
    return '****';
  }
}
