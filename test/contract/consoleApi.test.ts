/**
 * The console's API client (console/src/api.ts) takes its types from the service's own
 * code; this holds them to the published OpenAPI document too (through the client that
 * openapi-typescript generates from it): what the document promises for each response the
 * console reads must satisfy the type the console reads it as, and what the console sends
 * must be a body the document accepts. Checked by `tsc` in `npm test`: a drift between the
 * document, the service and the console fails the typecheck.
 */
import { describe, expectTypeOf, it } from 'vitest';
import type { components } from '../generated/api';
import type {
  AlertTarget,
  ApiKeySummary,
  BulkRedeliverRequest,
  ChatbotView,
  CreateRuleRequest,
  EventPage,
  EventTrace,
  Me,
  RegionQuota,
  RuleTestResult,
  RuleView,
  SourceView,
  UpdateRuleRequest,
} from '../../console/src/api';

type Schemas = components['schemas'];

describe('the console API client and the OpenAPI document', () => {
  it('reads every response as the document describes it', () => {
    expectTypeOf<Schemas['Me']>().toMatchTypeOf<Me>();
    expectTypeOf<Schemas['RuleList']>().toMatchTypeOf<{ rules: RuleView[]; quotas: RegionQuota[] }>();
    expectTypeOf<Schemas['Rule']>().toMatchTypeOf<RuleView>();
    expectTypeOf<Schemas['RuleTestResult']>().toMatchTypeOf<RuleTestResult>();
    expectTypeOf<Schemas['EventList']>().toMatchTypeOf<EventPage>();
    expectTypeOf<Schemas['EventTrace']>().toMatchTypeOf<EventTrace>();
    expectTypeOf<Schemas['AlertTarget']>().toMatchTypeOf<AlertTarget>();
    expectTypeOf<Schemas['ChatbotList']>().toMatchTypeOf<{ chatbots: ChatbotView[] }>();
    expectTypeOf<Schemas['SourceList']>().toMatchTypeOf<{ sources: SourceView[] }>();
    expectTypeOf<Schemas['ApiKeyList']>().toMatchTypeOf<{ apiKeys: ApiKeySummary[] }>();
    expectTypeOf<Schemas['RequeuedCount']>().toMatchTypeOf<{ requeued: number }>();
  });

  it('sends bodies the document accepts', () => {
    expectTypeOf<CreateRuleRequest>().toMatchTypeOf<Schemas['CreateRuleRequest']>();
    expectTypeOf<UpdateRuleRequest>().toMatchTypeOf<Schemas['UpdateRuleRequest']>();
    expectTypeOf<BulkRedeliverRequest>().toMatchTypeOf<Schemas['BulkRedeliverRequest']>();
  });
});
