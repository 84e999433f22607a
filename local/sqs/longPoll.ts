/**
 * Pending long-poll receives. A waiter is retried when its queue is notified (send,
 * visibility reset, redrive) and on a short interval, because messages also become
 * receivable merely by time passing (delays, visibility expiry) and the store's clock is
 * injectable, so exact wake-up timers could not be scheduled from it.
 */

interface Waiter<T> {
  key: string;
  /** Tries to take items now; null means the source is gone and the wait should end. */
  attempt: () => T[] | null;
  finish: (items: T[]) => void;
}

export class LongPollWaiters<T> {
  private readonly waiters = new Set<Waiter<T>>();
  private readonly pending = new Set<string>();
  private flushScheduled = false;
  private poll: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly pollIntervalMs: number) {}

  wait(key: string, timeoutMs: number, attempt: () => T[] | null, signal?: AbortSignal): Promise<T[]> {
    if (this.closed || signal?.aborted) return Promise.resolve([]);
    return new Promise<T[]>((resolve) => {
      const onAbort = (): void => waiter.finish([]);
      const timer = setTimeout(onAbort, timeoutMs);
      const waiter: Waiter<T> = {
        key,
        attempt,
        finish: (items) => {
          if (!this.waiters.delete(waiter)) return;
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          if (this.waiters.size === 0) this.stopPolling();
          resolve(items);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.add(waiter);
      this.poll ??= setInterval(() => this.retry(() => true), this.pollIntervalMs).unref();
    });
  }

  /**
   * Deferred to a microtask so that a batch send wakes waiters once, after all of its
   * entries are stored, and a waiter asking for up to 10 messages can get them together.
   */
  notify(key: string): void {
    if (this.waiters.size === 0) return;
    this.pending.add(key);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    queueMicrotask(() => {
      this.flushScheduled = false;
      const keys = new Set(this.pending);
      this.pending.clear();
      this.retry((w) => keys.has(w.key));
    });
  }

  close(): void {
    this.closed = true;
    for (const w of [...this.waiters]) w.finish([]);
    this.stopPolling();
  }

  private retry(select: (w: Waiter<T>) => boolean): void {
    for (const w of [...this.waiters]) {
      if (!this.waiters.has(w) || !select(w)) continue;
      let items: T[] | null;
      try {
        items = w.attempt();
      } catch {
        items = null;
      }
      if (items === null || items.length > 0) w.finish(items ?? []);
    }
  }

  private stopPolling(): void {
    if (this.poll) clearInterval(this.poll);
    this.poll = undefined;
  }
}
