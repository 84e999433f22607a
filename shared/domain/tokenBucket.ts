/**
 * Token buckets per caller: `rate` tokens a second up to `burst`. Pure (the clock is
 * passed in). Used to cap ingest per API key inside one function instance; API
 * Gateway's stage throttling is the shared limit in front of it.
 */
export interface BucketDecision {
  allowed: boolean;
  /** Seconds until `cost` tokens are available (when not allowed). */
  retryAfterSeconds: number;
}

export function createTokenBuckets(opts: { rate: number; burst: number; maxKeys?: number }) {
  const buckets = new Map<string, { tokens: number; at: number }>();
  const maxKeys = opts.maxKeys ?? 10_000;
  return {
    take(key: string, cost: number, nowMs: number): BucketDecision {
      const bucket = buckets.get(key) ?? { tokens: opts.burst, at: nowMs };
      const tokens = Math.min(opts.burst, bucket.tokens + ((nowMs - bucket.at) / 1000) * opts.rate);
      if (tokens >= cost) {
        if (!buckets.has(key) && buckets.size >= maxKeys) buckets.clear();
        buckets.set(key, { tokens: tokens - cost, at: nowMs });
        return { allowed: true, retryAfterSeconds: 0 };
      }
      buckets.set(key, { tokens, at: nowMs });
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((Math.min(cost, opts.burst) - tokens) / opts.rate)) };
    },
  };
}
