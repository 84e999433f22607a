/**
 * Event rules (SPEC §4 "Rules", §5): request schemas, the stored shape and the
 * read shape. Pure: target reachability (DNS) and secrets live in the service.
 */
import { RE2JS } from 're2js';
import * as z from 'zod';
import { EVENT_TYPES, isEventType, statusesOf } from './eventTypes';
import type { EventStatus, EventType } from './eventTypes';
import { TEMPLATE_PLACEHOLDERS, unknownPlaceholders } from './template';
import { instanceIdSchema } from './apiKeys';

export const RULE_ID_PATTERN = /^crecr-[a-z0-9]{16}$/;
export const ruleIdSchema = z.string().regex(RULE_ID_PATTERN, 'must match ^crecr-[a-z0-9]{16}$');
export { instanceIdSchema };

export const regionIdSchema = z.string().regex(/^[a-z]{2,3}-[a-z0-9-]{2,40}$/, 'must match ^[a-z]{2,3}-[a-z0-9-]{2,40}$');
export const ruleNameSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'must match ^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$');

/** OCI distribution path component. */
export const OCI_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
export const ociNameSchema = z
  .string()
  .max(128, 'at most 128 characters')
  .regex(OCI_COMPONENT, 'must be an OCI path component: [a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*');

const distinct = <T>(items: readonly T[]) => new Set(items).size === items.length;

export const TAG_PATTERN_MAX = 256;
/** Compiles a user tag pattern with RE2 semantics (linear time; no backreferences or lookaround). */
export function compileTagPattern(pattern: string): RE2JS {
  return RE2JS.compile(pattern);
}
export const tagPatternSchema = z
  .string()
  .min(1)
  .max(TAG_PATTERN_MAX, `at most ${TAG_PATTERN_MAX} characters`)
  .superRefine((pattern, ctx) => {
    try {
      compileTagPattern(pattern);
    } catch (error) {
      const reason = error instanceof Error ? error.message.replace(/^error parsing regexp: /, '') : 'invalid';
      ctx.addIssue({ code: 'custom', message: `not a valid RE2 pattern: ${reason}` });
    }
  });

export const scopeSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('INSTANCE') }),
  z.strictObject({
    type: z.literal('NAMESPACE'),
    namespaces: z.array(ociNameSchema).min(1).max(20).refine(distinct, 'namespaces must be distinct'),
  }),
  z.strictObject({
    type: z.literal('REPO'),
    namespace: ociNameSchema,
    repoNames: z.array(ociNameSchema).min(1).max(20).refine(distinct, 'repoNames must be distinct'),
  }),
]);
export type Scope = z.infer<typeof scopeSchema>;

const urlString = z.string().min(1).max(2048, 'at most 2048 characters');
export const WEBHOOK_SECRET = /^whsec_[A-Za-z0-9+/]+={0,2}$/;

const webhookSecretSchema = z
  .string()
  .max(256)
  .regex(WEBHOOK_SECRET, 'must be whsec_ followed by base64')
  .refine((s) => Buffer.from(s.slice(6), 'base64').length >= 24, 'must encode at least 24 bytes');

export const notifySchema = z.discriminatedUnion('method', [
  z.strictObject({
    method: z.literal('dingtalk'),
    webhookUrl: urlString,
    secret: z.string().min(1).max(256).optional(),
  }),
  z.strictObject({
    method: z.literal('http'),
    url: urlString,
    secret: webhookSecretSchema.optional(),
  }),
  z.strictObject({
    method: z.literal('https'),
    url: urlString,
    secret: webhookSecretSchema.optional(),
  }),
]);
export type Notify = z.infer<typeof notifySchema>;

export const TEMPLATE_MAX_BYTES = 4096;
export const templateSchema = z
  .string()
  .min(1)
  .refine((t) => Buffer.byteLength(t, 'utf8') <= TEMPLATE_MAX_BYTES, `at most ${TEMPLATE_MAX_BYTES} bytes`)
  .superRefine((template, ctx) => {
    const unknown = unknownPlaceholders(template);
    if (unknown.length > 0) {
      ctx.addIssue({
        code: 'custom',
        message: `unknown placeholder ${unknown.map((u) => `{{${u}}}`).join(', ')}; allowed: ${TEMPLATE_PLACEHOLDERS.join(', ')}`,
      });
    }
  });

const eventTypesSchema = z
  .array(z.enum(EVENT_TYPES as [EventType, ...EventType[]]))
  .min(1)
  .max(5)
  .refine(distinct, 'eventTypes must be distinct');
const eventStatusesSchema = z
  .array(z.enum(['SUCCESS', 'FAILED', 'CANCELED', 'DENIED']))
  .min(1)
  .max(4)
  .refine(distinct, 'eventStatuses must be distinct');

const ruleFields = {
  ruleName: ruleNameSchema,
  regionId: regionIdSchema,
  eventTypes: eventTypesSchema,
  eventStatuses: eventStatusesSchema.optional(),
  scope: scopeSchema,
  tagPattern: tagPatternSchema.optional(),
  notify: notifySchema,
  template: templateSchema.optional(),
  enabled: z.boolean().optional(),
};

/** Every status must be valid for at least one chosen type. */
function checkStatuses(
  rule: { eventTypes?: EventType[] | undefined; eventStatuses?: EventStatus[] | undefined },
  ctx: z.RefinementCtx,
): void {
  if (!rule.eventTypes || !rule.eventStatuses) return;
  rule.eventStatuses.forEach((status, i) => {
    const ok = rule.eventTypes?.some((t) => isEventType(t) && statusesOf(t).includes(status));
    if (!ok) {
      ctx.addIssue({
        code: 'custom',
        path: ['eventStatuses', i],
        message: `${status} is not a status of ${rule.eventTypes?.join(', ')}`,
      });
    }
  });
}

const example = {
  ruleName: 'scan-alerts',
  regionId: 'cn-hangzhou',
  eventTypes: ['cr:Artifact:ScanCompleted'],
  eventStatuses: ['FAILED'],
  scope: { type: 'REPO', namespace: 'team-a', repoNames: ['api', 'web'] },
  tagPattern: 'v[0-9]+\\..*',
  notify: {
    method: 'dingtalk',
    webhookUrl: 'https://oapi.dingtalk.com/robot/send?access_token=abc',
    secret: 'SEC0123456789abcdef',
  },
  template: '### {{eventType}} {{status}}\n{{namespace}}/{{repoName}}:{{tag}}',
  enabled: true,
};

export const createRuleRequestSchema = z
  .strictObject(ruleFields)
  .superRefine(checkStatuses)
  .meta({ id: 'CreateRuleRequest', example });
export type CreateRuleRequest = z.infer<typeof createRuleRequestSchema>;

export const updateRuleRequestSchema = z
  .strictObject({
    ruleName: ruleFields.ruleName.optional(),
    regionId: ruleFields.regionId.optional(),
    eventTypes: ruleFields.eventTypes.optional(),
    eventStatuses: ruleFields.eventStatuses.nullable(),
    scope: ruleFields.scope.optional(),
    tagPattern: ruleFields.tagPattern,
    notify: ruleFields.notify.optional(),
    template: ruleFields.template.nullable(),
    enabled: ruleFields.enabled,
  })
  .meta({
    id: 'UpdateRuleRequest',
    description: 'Top-level fields to change. A given notify replaces the whole block; null clears eventStatuses or template.',
    example: { enabled: false, eventStatuses: ['FAILED', 'CANCELED'] },
  });
export type UpdateRuleRequest = z.infer<typeof updateRuleRequestSchema>;

/** The full rule after a PATCH merge, re-checked as a whole (notify is checked on its own). */
const { notify: _notify, ...fieldsWithoutNotify } = ruleFields;
export const mergedRuleSchema = z.strictObject(fieldsWithoutNotify).superRefine(checkStatuses);

const maskedNotifySchema = z.discriminatedUnion('method', [
  z.object({ method: z.literal('dingtalk'), webhookUrl: z.string(), secretSet: z.boolean() }),
  z.object({ method: z.literal('http'), url: z.string(), secretSet: z.boolean() }),
  z.object({ method: z.literal('https'), url: z.string(), secretSet: z.boolean() }),
]);

export const ruleSchema = z
  .object({
    ruleId: z.string(),
    instanceId: z.string(),
    ruleName: z.string(),
    regionId: z.string(),
    eventTypes: z.array(z.string()),
    eventStatuses: z.array(z.string()).optional(),
    scope: scopeSchema,
    tagPattern: z.string(),
    notify: maskedNotifySchema,
    template: z.string().optional(),
    enabled: z.boolean(),
    createdAt: z.string(),
    updatedAt: z.string(),
    version: z.number().int(),
  })
  .meta({ id: 'Rule' });
export type RuleView = z.infer<typeof ruleSchema>;
export const ruleListSchema = z.object({ rules: z.array(ruleSchema) }).meta({ id: 'RuleList' });

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
