import { describe, expect, it } from 'vitest';
import { exponentialBackoff, jitteredBackoff, linearBackoff, retrying, TRY_AGAIN } from '../../shared/adapters/retry';
import type { RetryTiming } from '../../shared/adapters/retry';

/** Records the pauses instead of waiting; random() is fixed. */
function fakeTiming(random = 0.5): RetryTiming & { pauses: number[] } {
  const pauses: number[] = [];
  return { pauses, sleep: async (ms) => void pauses.push(ms), random: () => random };
}

describe('retrying', () => {
  it('returns the first result that is not TRY_AGAIN, pausing only between tries', async () => {
    const timing = fakeTiming();
    const tries: number[] = [];
    const result = await retrying(5, exponentialBackoff(10), async (n) => (tries.push(n), n < 2 ? TRY_AGAIN : 'done'), timing);
    expect(result).toBe('done');
    expect(tries).toEqual([0, 1, 2]);
    expect(timing.pauses).toEqual([10, 20]);
  });

  it('gives back TRY_AGAIN once the tries are spent, with no pause after the last', async () => {
    const timing = fakeTiming();
    let calls = 0;
    expect(await retrying(3, linearBackoff(25), async () => (calls++, TRY_AGAIN), timing)).toBe(TRY_AGAIN);
    expect(calls).toBe(3);
    expect(timing.pauses).toEqual([25, 50]);
  });

  it('lets an error of a try through without trying again', async () => {
    const timing = fakeTiming();
    let calls = 0;
    await expect(
      retrying(4, linearBackoff(1), async () => {
        calls += 1;
        throw new Error('boom');
      }, timing),
    ).rejects.toThrow('boom');
    expect(calls).toBe(1);
    expect(timing.pauses).toEqual([]);
  });

  it('returns a falsy result as a result', async () => {
    expect(await retrying(3, linearBackoff(1), async () => undefined, fakeTiming())).toBeUndefined();
    expect(await retrying(3, linearBackoff(1), async () => false, fakeTiming())).toBe(false);
  });
});

describe('pauses', () => {
  it('full jitter scales the capped exponential by the random number', () => {
    const pause = jitteredBackoff(20, 500);
    expect([0, 1, 2, 3, 4, 5].map((n) => pause(n, 1))).toEqual([20, 40, 80, 160, 320, 500]);
    expect(pause(3, 0.25)).toBe(40);
    expect(pause(3, 0)).toBe(0);
    expect(jitteredBackoff(40)(10, 1)).toBe(40 * 1024);
  });

  it('exponential and linear ignore the random number', () => {
    expect([0, 1, 2].map((n) => exponentialBackoff(20)(n, 0.1))).toEqual([20, 40, 80]);
    expect([0, 1, 2].map((n) => linearBackoff(25)(n, 0.9))).toEqual([25, 50, 75]);
  });
});
