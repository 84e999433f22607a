/**
 * Rule request schemas (SPEC §4 "Rules"), zod/mini: create, PATCH, and the merged rule a
 * PATCH produces. Only the rules function (and the OpenAPI document) builds them.
 */
import * as z from 'zod/mini';
import { EVENT_TYPES, isEventType, statusesOf } from './eventTypes';
import type { EventStatus, EventType } from './eventTypes';
import { TAG_PATTERN_MAX, tagPatternProblem, TEMPLATE_MAX_BYTES, WEBHOOK_SECRET } from './ruleGrammar';
import { TEMPLATE_PLACEHOLDERS, unknownPlaceholders } from './template';
import { ociNameSchema, regionIdSchema, ruleNameSchema } from './names';
import { eventStatusSchema, eventTypeSchema } from './eventSchemas';

export { ociNameSchema, ruleNameSchema };

const distinct = <T>(items: readonly T[]) => new Set(items).size === items.length;

export const tagPatternSchema = z.string().check(
  z.minLength(1),
  z.maxLength(TAG_PATTERN_MAX, `at most ${TAG_PATTERN_MAX} characters`),
  // Asynchronous (the RE2 engine loads on first need), so rule bodies are parsed with safeParseAsync.
  z.superRefine(async (pattern, ctx) => {
    const problem = await tagPatternProblem(pattern);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: `not a valid RE2 pattern: ${problem}` });
  }),
);

export const scopeSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('INSTANCE') }),
  z.strictObject({
    type: z.literal('NAMESPACE'),
    namespaces: z.array(ociNameSchema).check(z.minLength(1), z.maxLength(20), z.refine(distinct, 'namespaces must be distinct')),
  }),
  z.strictObject({
    type: z.literal('REPO'),
    namespace: ociNameSchema,
    repoNames: z.array(ociNameSchema).check(z.minLength(1), z.maxLength(20), z.refine(distinct, 'repoNames must be distinct')),
  }),
]);
export type Scope = z.infer<typeof scopeSchema>;

const urlString = z.string().check(z.minLength(1), z.maxLength(2048, 'at most 2048 characters'));

const webhookSecretSchema = z
  .string()
  .check(
    z.maxLength(256),
    z.regex(WEBHOOK_SECRET, 'must be whsec_ followed by base64'),
    z.refine((s) => Buffer.from(s.slice(6), 'base64').length >= 24, 'must encode at least 24 bytes'),
  );

export const notifySchema = z.discriminatedUnion('method', [
  z.strictObject({
    method: z.literal('dingtalk'),
    webhookUrl: urlString,
    secret: z.optional(z.string().check(z.minLength(1), z.maxLength(256))),
  }),
  z.strictObject({
    method: z.literal('feishu'),
    webhookUrl: urlString,
    secret: z.optional(z.string().check(z.minLength(1), z.maxLength(256))),
  }),
  // WeCom and Slack sign nothing: the webhook URL itself is the credential.
  z.strictObject({ method: z.literal('wecom'), webhookUrl: urlString }),
  z.strictObject({ method: z.literal('slack'), webhookUrl: urlString }),
  z.strictObject({ method: z.literal('http'), url: urlString, secret: z.optional(webhookSecretSchema) }),
  z.strictObject({ method: z.literal('https'), url: urlString, secret: z.optional(webhookSecretSchema) }),
]);
export type Notify = z.infer<typeof notifySchema>;

export const templateSchema = z.string().check(
  z.minLength(1),
  z.refine((t) => Buffer.byteLength(t, 'utf8') <= TEMPLATE_MAX_BYTES, `at most ${TEMPLATE_MAX_BYTES} bytes`),
  z.superRefine((template, ctx) => {
    const unknown = unknownPlaceholders(template);
    if (unknown.length > 0) {
      ctx.addIssue({
        code: 'custom',
        message: `unknown placeholder ${unknown.map((u) => `{{${u}}}`).join(', ')}; allowed: ${TEMPLATE_PLACEHOLDERS.join(', ')}`,
      });
    }
  }),
);

const eventTypesSchema = z
  .array(eventTypeSchema)
  .check(z.minLength(1), z.maxLength(EVENT_TYPES.length), z.refine(distinct, 'eventTypes must be distinct'));
const eventStatusesSchema = z
  .array(eventStatusSchema)
  .check(z.minLength(1), z.maxLength(4), z.refine(distinct, 'eventStatuses must be distinct'));

const ruleFields = {
  ruleName: ruleNameSchema,
  regionId: regionIdSchema,
  eventTypes: eventTypesSchema,
  eventStatuses: z.optional(eventStatusesSchema),
  scope: scopeSchema,
  tagPattern: z.optional(tagPatternSchema),
  notify: notifySchema,
  template: z.optional(templateSchema),
  enabled: z.optional(z.boolean()),
};

/** Every status must be valid for at least one chosen type. */
const checkStatuses = z.superRefine(
  (rule: { eventTypes?: EventType[] | undefined; eventStatuses?: EventStatus[] | undefined }, ctx) => {
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
  },
);

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
  .check(checkStatuses, z.meta({ id: 'CreateRuleRequest', example }));
export type CreateRuleRequest = z.infer<typeof createRuleRequestSchema>;

export const updateRuleRequestSchema = z
  .strictObject({
    ruleName: z.optional(ruleFields.ruleName),
    regionId: z.optional(ruleFields.regionId),
    eventTypes: z.optional(ruleFields.eventTypes),
    eventStatuses: z.nullable(ruleFields.eventStatuses),
    scope: z.optional(ruleFields.scope),
    tagPattern: ruleFields.tagPattern,
    notify: z.optional(ruleFields.notify),
    template: z.nullable(ruleFields.template),
    enabled: ruleFields.enabled,
  })
  .check(
    z.meta({
      id: 'UpdateRuleRequest',
      description: 'Top-level fields to change. A given notify replaces the whole block; null clears eventStatuses or template.',
      example: { enabled: false, eventStatuses: ['FAILED', 'CANCELED'] },
    }),
  );
export type UpdateRuleRequest = z.infer<typeof updateRuleRequestSchema>;

/** The full rule after a PATCH merge, re-checked as a whole (notify is checked on its own). */
const { notify: _notify, ...fieldsWithoutNotify } = ruleFields;
export const mergedRuleSchema = z.strictObject(fieldsWithoutNotify).check(checkStatuses);

/** PUT /v1/instances/{instanceId}/alerts (SPEC §13): a target like a rule's, any method. */
export const alertTargetRequestSchema = z
  .strictObject({ notify: notifySchema })
  .check(z.meta({ id: 'AlertTargetRequest', example: { notify: { method: 'https', url: 'https://ops.example.com/hooks/registry-alerts' } } }));
export type AlertTargetRequest = z.infer<typeof alertTargetRequestSchema>;
