/**
 * The one "try again after a short pause" loop around an I/O call (a conditional write
 * that lost a race, a batch with unprocessed keys, a queue send that failed in part).
 * Not the delivery retry schedule (that is domain policy: shared/domain/retry.ts): these
 * pauses are milliseconds, inside one invocation. Timing is injected, so tests run it
 * without waiting.
 */

/** What a try returns when it wants another one. */
export const TRY_AGAIN = Symbol('try again');
export type TryAgain = typeof TRY_AGAIN;

export interface RetryTiming {
  sleep(ms: number): Promise<void>;
  random(): number;
}

export const realTiming: RetryTiming = {
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: Math.random,
};

/** The pause after failed try `n` (0-based), given a random number in [0, 1). */
export type Pause = (n: number, random: number) => number;

/** Exponential with full jitter (racing writers do not collide again in lockstep), capped. */
export const jitteredBackoff =
  (baseMs: number, capMs = Number.POSITIVE_INFINITY): Pause =>
  (n, random) =>
    random * Math.min(capMs, baseMs * 2 ** n);

/** Exponential without jitter. */
export const exponentialBackoff =
  (baseMs: number): Pause =>
  (n) =>
    baseMs * 2 ** n;

/** Growing by `stepMs` each time. */
export const linearBackoff =
  (stepMs: number): Pause =>
  (n) =>
    stepMs * (n + 1);

/**
 * Runs `attempt` up to `tries` times, pausing between tries (never after the last), until
 * it returns something other than TRY_AGAIN; returns that, or TRY_AGAIN once the tries are
 * spent (the caller decides: give up quietly, or throw). Errors thrown by `attempt` pass through.
 */
export async function retrying<T>(
  tries: number,
  pause: Pause,
  attempt: (n: number) => Promise<T | TryAgain>,
  timing: RetryTiming = realTiming,
): Promise<T | TryAgain> {
  for (let n = 0; n < tries; n += 1) {
    if (n > 0) await timing.sleep(pause(n - 1, timing.random()));
    const result = await attempt(n);
    if (result !== TRY_AGAIN) return result;
  }
  return TRY_AGAIN;
}
