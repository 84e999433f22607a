/** What the delivery worker and the chat mailbox engine are given (no behaviour here). */
import type { HttpSender } from './httpSenderPort';
import type { SecretSealer } from './secretSealerPort';
import type { ChatbotStore } from './chatbotPorts';
import type { DelayedQueue, DeliveryRepository } from './deliveryPorts';
import type { DeliverySettings } from './deliverySettings';
import type { MetricsSink } from '../observability/metrics';

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
}

export const nowOf = (deps: Pick<DeliverDeps, 'now'>) => (deps.now ?? Date.now)();
