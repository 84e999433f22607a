import { describe, expect, it } from 'vitest';
import { createTokenBuckets } from '../../shared/domain/tokenBucket';

describe('token buckets', () => {
  it('allows a burst, refills at the rate, and says when to retry', () => {
    const b = createTokenBuckets({ rate: 10, burst: 20 });
    expect(b.take('k', 20, 0).allowed).toBe(true);
    expect(b.take('k', 5, 0)).toEqual({ allowed: false, retryAfterSeconds: 1 });
    expect(b.take('k', 5, 500).allowed).toBe(true);
    expect(b.take('other', 20, 500).allowed).toBe(true);
    expect(b.take('k', 100, 500)).toEqual({ allowed: false, retryAfterSeconds: 2 });
  });
});
