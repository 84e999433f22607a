/** Input schemas of the rules function's routes. */
import * as z from 'zod/mini';
import { alertTargetRequestSchema, createRuleRequestSchema, updateRuleRequestSchema } from '../../domain/ruleSchemas';
import { instanceIdSchema, ruleIdSchema } from '../../domain/names';
import { defineInputs } from '../routeInputs';
import type { InputsOf } from '../routeInputs';

const instance = z.object({ instanceId: instanceIdSchema });
const rule = z.object({ instanceId: instanceIdSchema, ruleId: ruleIdSchema });

export const rulesInputs = {
  createRule: defineInputs('createRule', { params: instance, body: createRuleRequestSchema }),
  listRules: defineInputs('listRules', { params: instance }),
  getRule: defineInputs('getRule', { params: rule }),
  updateRule: defineInputs('updateRule', { params: rule, body: updateRuleRequestSchema }),
  deleteRule: defineInputs('deleteRule', { params: rule }),
  testRule: defineInputs('testRule', { params: rule }),
  resumeRule: defineInputs('resumeRule', { params: rule }),
  listChatbots: defineInputs('listChatbots', { params: instance }),
  putAlertTarget: defineInputs('putAlertTarget', { params: instance, body: alertTargetRequestSchema }),
  getAlertTarget: defineInputs('getAlertTarget', { params: instance }),
  deleteAlertTarget: defineInputs('deleteAlertTarget', { params: instance }),
} satisfies InputsOf<'rules'>;
