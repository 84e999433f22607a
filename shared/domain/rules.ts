/**
 * Event rules (SPEC §4 "Rules", §5): the tag-pattern engine, the read shape and masking.
 * The request schemas live in ruleSchemas.ts, so what ingest and delivery import from
 * here (the pattern compiler, types) does not build them. Pure: target reachability
 * (DNS) and secrets live in the service.
 */
import type { Scope } from './ruleSchemas';

export type { CreateRuleRequest, Notify, Scope, UpdateRuleRequest } from './ruleSchemas';

export const TAG_PATTERN_MAX = 256;
export const TEMPLATE_MAX_BYTES = 4096;
export const WEBHOOK_SECRET = /^whsec_[A-Za-z0-9+/]+={0,2}$/;

/** RE2's `.` matches anything but a newline, so the default `.*` matches exactly these tags. */
const anyLineTag = (tag: string) => !tag.includes('\n');

/**
 * A whole-tag matcher for a user pattern with RE2 semantics (linear time; no
 * backreferences or lookaround). The engine (re2js) is loaded on first need, so an
 * instance whose rules keep the default `.*` never loads it.
 */
export async function tagMatcher(pattern: string): Promise<(tag: string) => boolean> {
  if (pattern === '.*') return anyLineTag;
  const { RE2JS } = await import('re2js');
  const re = RE2JS.compile(pattern);
  return (tag) => re.matches(tag);
}

/** Letters, digits, `_`, `.`, `-` and `.*` only: valid RE2 whatever their order. */
const PLAIN_PATTERN = /^(?:[A-Za-z0-9_.-]|\.\*)*$/;

/**
 * Why `pattern` is not valid RE2, or undefined when it is. For rule writes: the engine
 * (re2js, ~150 KB) is imported only when a pattern is not plain, so the rules function
 * does not load it for reads, deletes, tests or rules that keep the default `.*`.
 */
export async function tagPatternProblem(pattern: string): Promise<string | undefined> {
  if (PLAIN_PATTERN.test(pattern)) return undefined;
  const { RE2JS: engine } = await import('re2js');
  try {
    engine.compile(pattern);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message.replace(/^error parsing regexp: /, '') : 'invalid';
  }
}

/** A notify block as read back: secrets become `secretSet`, the DingTalk access_token is masked. */
export type MaskedNotify =
  | { method: 'dingtalk'; webhookUrl: string; secretSet: boolean }
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
