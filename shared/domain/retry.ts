/**
 * The retry schedule as data: exponential backoff with full jitter, capped, honouring
 * a receiver's Retry-After (never beyond the cap). Pure; `random` is injected.
 */
export interface RetryPolicy {
  baseSeconds: number;
  maxDelaySeconds: number;
  maxAttempts: number;
}

/** Seconds to wait after failed attempt number `attempt` (1-based). */
export function retryDelay(policy: RetryPolicy, attempt: number, retryAfterSeconds: number | undefined, random: () => number): number {
  const ceiling = Math.min(policy.maxDelaySeconds, policy.baseSeconds * 2 ** Math.min(attempt - 1, 30));
  const jittered = Math.max(1, Math.round(random() * ceiling));
  const wanted = retryAfterSeconds !== undefined ? Math.max(jittered, Math.ceil(retryAfterSeconds)) : jittered;
  return Math.min(policy.maxDelaySeconds, wanted);
}

/** Retry-After as delta-seconds or an HTTP date; undefined when absent or unusable. */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - nowMs) / 1000));
}

export type HttpOutcome = 'delivered' | 'retry' | 'failed';

/** SPEC §6: 2xx delivered; 408, 429, 5xx retried; redirects and other 4xx failed. */
export function classifyHttpStatus(status: number): HttpOutcome {
  if (status >= 200 && status < 300) return 'delivered';
  if (status === 408 || status === 429 || status >= 500) return 'retry';
  return 'failed';
}
