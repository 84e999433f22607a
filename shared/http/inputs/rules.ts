/** Input schemas of the rules function's routes. */
import { alertTargetRequestSchema, createRuleRequestSchema, updateRuleRequestSchema } from '../../domain/ruleSchemas';
import { instanceIdSchema, ruleIdSchema } from '../../domain/names';
import type { InputsOf } from '../routeTable';

const instance = { instanceId: instanceIdSchema };
const rule = { instanceId: instanceIdSchema, ruleId: ruleIdSchema };

export const rulesInputs: InputsOf<'rules'> = {
  createRule: { params: instance, body: createRuleRequestSchema },
  listRules: { params: instance },
  getRule: { params: rule },
  updateRule: { params: rule, body: updateRuleRequestSchema },
  deleteRule: { params: rule },
  testRule: { params: rule },
  resumeRule: { params: rule },
  listChatbots: { params: instance },
  putAlertTarget: { params: instance, body: alertTargetRequestSchema },
  getAlertTarget: { params: instance },
  deleteAlertTarget: { params: instance },
};
