/** Event rules: POST/GET /v1/instances/{instanceId}/rules, GET/PATCH/DELETE .../rules/{ruleId}. */
import { createHttpFunction, operation } from '../shared/http/createHttpFunction';
import type { HttpHandler } from '../shared/http/createHttpFunction';
import { rulesInputs } from '../shared/http/inputs/rules';
import { json, noContent } from '../shared/http/response';
import type { Runtime } from '../shared/runtime';
import { lazyHttpHandler } from '../shared/wiring/base';
import { operationsDeps, ruleServiceDeps, ruleTestDeps } from '../shared/wiring/rules';
import { createSqsClient } from '../shared/adapters/sqs/client';
import { deleteAlertTarget, getAlertTarget, putAlertTarget } from '../shared/services/alerts';
import { resumeRule } from '../shared/services/ruleHealth';
import { listChatbots } from '../shared/services/chatbotStatus';
import { createSealer } from '../shared/wiring/secrets';
import { createRule, deleteRule, etagOf, getRule, listRules, regionQuotas, updateRule } from '../shared/services/rules';
import type { RuleServiceDeps } from '../shared/services/rules';
import { testRule } from '../shared/services/ruleTest';

export function createRulesHandler(rt: Pick<Runtime, 'logger' | 'authenticator' | 'rules' | 'ruleTest' | 'operations'>): HttpHandler {
  const deps: RuleServiceDeps = rt.rules;
  const location = (instanceId: string, ruleId: string) => `/v1/instances/${instanceId}/rules/${ruleId}`;
  return createHttpFunction(
    'rules',
    {
      createRule: operation(rulesInputs.createRule, async ({ params: { instanceId }, body }) => {
        const rule = await createRule(deps, instanceId, body);
        rt.logger.info('rule created', { instanceId, ruleId: rule.ruleId, regionId: rule.regionId });
        return json(201, rule, { location: location(instanceId, rule.ruleId), etag: etagOf(rule.version) });
      }),
      listRules: operation(rulesInputs.listRules, async ({ params }) => {
        const rules = await listRules(deps, params.instanceId);
        return json(200, { rules, quotas: await regionQuotas(deps, rules) });
      }),
      getRule: operation(rulesInputs.getRule, async ({ params }) => {
        const rule = await getRule(deps, params.instanceId, params.ruleId);
        return json(200, rule, { etag: etagOf(rule.version) });
      }),
      updateRule: operation(rulesInputs.updateRule, async ({ params: { instanceId, ruleId }, body, headers }) => {
        const rule = await updateRule(deps, instanceId, ruleId, body, headers['if-match']);
        rt.logger.info('rule updated', { instanceId, ruleId: rule.ruleId, version: rule.version });
        return json(200, rule, { etag: etagOf(rule.version) });
      }),
      testRule: operation(rulesInputs.testRule, async ({ params }) => {
        const result = await testRule(rt.ruleTest, params.instanceId, params.ruleId);
        rt.logger.info('rule test sent', { instanceId: params.instanceId, ruleId: params.ruleId, outcome: result.outcome, httpStatus: result.httpStatus });
        return json(200, result);
      }),
      listChatbots: operation(rulesInputs.listChatbots, async ({ params }) => json(200, await listChatbots(rt.operations.chatbots, params.instanceId))),
      resumeRule: operation(rulesInputs.resumeRule, async ({ params }) => json(202, await resumeRule(rt.operations, params.instanceId, params.ruleId))),
      putAlertTarget: operation(rulesInputs.putAlertTarget, async ({ params: { instanceId }, body }) => {
        const target = await putAlertTarget({ ...deps, alerts: rt.operations.alerts }, instanceId, body.notify);
        rt.logger.info('alert target set', { instanceId, method: target.notify.method });
        return json(200, target);
      }),
      getAlertTarget: operation(rulesInputs.getAlertTarget, async ({ params }) => json(200, await getAlertTarget(rt.operations, params.instanceId))),
      deleteAlertTarget: operation(rulesInputs.deleteAlertTarget, async ({ params }) => {
        await deleteAlertTarget(rt.operations, params.instanceId);
        rt.logger.info('alert target removed', { instanceId: params.instanceId });
        return noContent();
      }),
      deleteRule: operation(rulesInputs.deleteRule, async ({ params: { instanceId, ruleId }, headers }) => {
        await deleteRule(deps, instanceId, ruleId, headers['if-match']);
        rt.logger.info('rule deleted', { instanceId, ruleId });
        return noContent();
      }),
    },
    rt,
  );
}

export const handler = lazyHttpHandler((base) => {
  const sealer = createSealer(base.config);
  const sqs = createSqsClient(base.config);
  return createRulesHandler({
    ...base,
    rules: ruleServiceDeps(base.config, base.db, sealer, sqs),
    ruleTest: ruleTestDeps(base.config, base.db, sealer),
    operations: operationsDeps(base.config, base.db, sqs),
  });
});
