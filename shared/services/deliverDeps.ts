/** What the delivery worker and the chat mailbox engine are given (no behaviour here). */
import type { HttpSender } from './httpSenderPort';
import type { SecretSealer } from './secretSealerPort';
import type { ChatbotStore } from './chatbotPorts';
import type { DelayedQueue, DeliveryRepository } from './deliveryPorts';
import type { DeliverySettings } from './deliverySettings';
import type { MetricsSink } from '../observability/metrics';
import type { DeliveryRecord } from './deliveryPorts';
import { recordRuleOutcome } from './ruleHealth';
import type { RuleHealthDeps } from './ruleHealth';
import type { HeldDeliveries, OutcomeRecord } from './ruleHealthPorts';
import type { RuleStore } from './ruleStore';

export interface DeliverDeps {
  deliveries: DeliveryRepository;
  chatbots: ChatbotStore;
  queue: DelayedQueue;
  sender: HttpSender;
  sealer: SecretSealer;
  settings: DeliverySettings;
  now?: () => number;
  random?: () => number;
  log?: (message: string, fields: Record<string, unknown>) => void;
  metrics?: MetricsSink;
  /** Rule health and the circuit breaker (SPEC §13); absent, deliveries are neither counted nor held. */
  /** `rules`: the rule's current target, for a delivery that releases itself after racing a resume. */
  ruleHealth?: RuleHealthDeps & { held: HeldDeliveries; rules?: Pick<RuleStore, 'get'> };
}

export const nowOf = (deps: Pick<DeliverDeps, 'now'>) => (deps.now ?? Date.now)();

/** Hook: an attempt's (or a close's) outcome counts for its rule's health, and may suspend it. */
export async function recordOutcome(deps: DeliverDeps, delivery: DeliveryRecord, outcome: Omit<OutcomeRecord, 'at'>): Promise<void> {
  if (deps.ruleHealth) await recordRuleOutcome(deps.ruleHealth, delivery, outcome);
}

/** Deliveries grouped by rule: a chatbot send counts once for each rule it carried. */
export function byRule(records: readonly DeliveryRecord[]): Map<string, DeliveryRecord[]> {
  const groups = new Map<string, DeliveryRecord[]>();
  for (const r of records) groups.set(r.ruleId, [...(groups.get(r.ruleId) ?? []), r]);
  return groups;
}
