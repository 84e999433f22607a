/**
 * Typed operations: an operation's argument is typed from its route's inputs and auth,
 * so handlers need no casts, no `?? ''` and no principal checks. Type-level assertions
 * (checked by `npm run typecheck`) plus the runtime behaviour they stand for.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { Principal } from '../../shared/domain/apiKeys';
import type { CreateRuleRequest } from '../../shared/domain/rules';
import { createHttpFunction, operation } from '../../shared/http/createHttpFunction';
import type { apiKeysInputs } from '../../shared/http/inputs/apiKeys';
import type { eventsInputs } from '../../shared/http/inputs/events';
import { rulesInputs } from '../../shared/http/inputs/rules';
import type { sourceEventsInputs } from '../../shared/http/inputs/sourceEvents';
import type { ingestInputs } from '../../shared/http/inputs/ingest';
import type { metaInputs } from '../../shared/http/inputs/meta';
import type { IngestPayload } from '../../shared/http/cloudEventModes';
import { json } from '../../shared/http/response';
import { createLogger } from '../../shared/observability/logger';
import type { AuthenticatedSource } from '../../shared/services/sources';
import { call } from '../support/http';

type ArgsOf<I> = I extends { argsOf(request: never): infer A } ? A : never;

describe('typed operations', () => {
  it('give a key-protected route a principal that is never undefined, and typed params and body', () => {
    type CreateRule = ArgsOf<typeof rulesInputs.createRule>;
    expectTypeOf<CreateRule['principal']>().toEqualTypeOf<Principal>();
    expectTypeOf<CreateRule['params']>().toEqualTypeOf<{ instanceId: string }>();
    expectTypeOf<CreateRule['body']>().toEqualTypeOf<CreateRuleRequest>();
    expectTypeOf<ArgsOf<typeof rulesInputs.getRule>['params']>().toEqualTypeOf<{ instanceId: string; ruleId: string }>();
    expectTypeOf<ArgsOf<typeof eventsInputs.getEvent>['principal']>().toEqualTypeOf<Principal>();
    expectTypeOf<ArgsOf<typeof apiKeysInputs.getMe>['principal']>().toEqualTypeOf<Principal>();
  });

  it('type the query from its schema, an optional body as optional, and declare nothing a route does not take', () => {
    expectTypeOf<ArgsOf<typeof eventsInputs.listEvents>['query']['limit']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<ArgsOf<typeof eventsInputs.redeliverEvent>['body']>().toEqualTypeOf<{ ruleId?: string | undefined } | undefined>();
    expectTypeOf<ArgsOf<typeof metaInputs.getHealth>>().not.toHaveProperty('principal');
    expectTypeOf<ArgsOf<typeof metaInputs.getHealth>>().not.toHaveProperty('body');
    expectTypeOf<ArgsOf<typeof apiKeysInputs.createSession>>().not.toHaveProperty('principal');
    expectTypeOf<ArgsOf<typeof rulesInputs.listRules>>().not.toHaveProperty('query');
  });

  it('hand a source-token route its source, and ingest its CloudEvents payload', () => {
    expectTypeOf<ArgsOf<typeof sourceEventsInputs.ingestSourceEvents>['source']>().toEqualTypeOf<AuthenticatedSource>();
    expectTypeOf<ArgsOf<typeof sourceEventsInputs.ingestSourceEvents>>().not.toHaveProperty('principal');
    expectTypeOf<ArgsOf<typeof ingestInputs.ingestEvents>['payload']>().toEqualTypeOf<IngestPayload>();
    expectTypeOf<ArgsOf<typeof ingestInputs.ingestEvents>['principal']>().toEqualTypeOf<Principal>();
  });

  it('pass the handler what the schemas output, after auth (401 never reaches it)', async () => {
    const seen: unknown[] = [];
    const principal: Principal = { kind: 'key', keyId: 'k1', scopes: ['rules:read'], instanceIds: ['cri-typed0001'] };
    const bound = operation(rulesInputs.getRule, async ({ params, principal: who }) => {
      seen.push({ params, who });
      return json(200, { ok: true });
    });
    const notServed = async () => json(500, {});
    const rules = createHttpFunction(
      'rules',
      {
        createRule: operation(rulesInputs.createRule, notServed),
        listRules: operation(rulesInputs.listRules, notServed),
        getRule: bound,
        updateRule: operation(rulesInputs.updateRule, notServed),
        deleteRule: operation(rulesInputs.deleteRule, notServed),
        testRule: operation(rulesInputs.testRule, notServed),
        resumeRule: operation(rulesInputs.resumeRule, notServed),
        listChatbots: operation(rulesInputs.listChatbots, notServed),
        putAlertTarget: operation(rulesInputs.putAlertTarget, notServed),
        getAlertTarget: operation(rulesInputs.getAlertTarget, notServed),
        deleteAlertTarget: operation(rulesInputs.deleteAlertTarget, notServed),
      },
      {
        logger: createLogger('SILENT'),
        authenticator: {
          authenticate: async (authorization) => (authorization === 'Bearer good' ? principal : undefined),
          authenticateSession: async () => undefined,
          forgetSession: () => undefined,
        },
      },
    );
    const path = '/v1/instances/cri-typed0001/rules/crecr-0123456789abcdef';
    expect((await call(rules, { path })).status).toBe(401);
    expect(seen).toEqual([]);
    const reply = await call(rules, { path, headers: { authorization: 'Bearer good' } });
    expect(reply.status).toBe(200);
    expect(seen).toEqual([{ params: { instanceId: 'cri-typed0001', ruleId: 'crecr-0123456789abcdef' }, who: principal }]);
  });
});
