/** Delivery settings derived from the configuration, in milliseconds where it matters. */
import type { RetryPolicy } from '../domain/retry';

export interface DeliverySettings {
  retry: RetryPolicy;
  timeoutMs: number;
  userAgent: string;
  dingtalk: {
    limit: number;
    windowMs: number;
    throttleMs: number;
    /** Extra time a slot keeps counting after its send ends: absorbs clock and network jitter. */
    marginMs: number;
  };
}

export function safetyMarginMs(windowMs: number): number {
  return Math.min(2_000, Math.max(250, Math.round(windowMs * 0.01)));
}
