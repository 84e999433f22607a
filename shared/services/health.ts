/**
 * The deep health check (SPEC §9): the service is only as well as the table it keeps
 * its truth in and the queue that wakes its workers. Each part is probed with one cheap
 * metadata call, bounded in time; the answer names every part and which ones failed.
 * Results are kept for a few seconds per function instance, so an unauthenticated
 * route cannot be used to multiply calls against the table and the queue.
 */

export type PartName = 'table' | 'queue';

export interface HealthProbe {
  part: PartName;
  /** Resolves when the part answers; rejects (or outlives the timeout) when it does not. */
  check(): Promise<void>;
}

export interface DeepHealth {
  status: 'ok' | 'unavailable';
  checks: Record<PartName, 'ok' | 'unavailable'>;
  /** The parts that failed, for the 503. */
  failing: PartName[];
}

export const PROBE_TIMEOUT_MS = 3_000;
export const DEEP_HEALTH_CACHE_MS = 5_000;

async function probe(p: HealthProbe, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([p.check().then(() => true, () => false), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export async function checkDeepHealth(probes: readonly HealthProbe[], timeoutMs = PROBE_TIMEOUT_MS): Promise<DeepHealth> {
  const results = await Promise.all(probes.map(async (p) => [p.part, await probe(p, timeoutMs)] as const));
  const checks = { table: 'ok', queue: 'ok' } as Record<PartName, 'ok' | 'unavailable'>;
  for (const [part, ok] of results) checks[part] = ok ? 'ok' : 'unavailable';
  const failing = results.filter(([, ok]) => !ok).map(([part]) => part);
  return { status: failing.length === 0 ? 'ok' : 'unavailable', checks, failing };
}

/** checkDeepHealth, answered from a short-lived cache. */
export function cachedDeepHealth(probes: readonly HealthProbe[], now: () => number = Date.now, ttlMs = DEEP_HEALTH_CACHE_MS): () => Promise<DeepHealth> {
  let cached: { at: number; value: Promise<DeepHealth> } | undefined;
  return () => {
    const at = now();
    if (!cached || at - cached.at >= ttlMs) cached = { at, value: checkDeepHealth(probes) };
    return cached.value;
  };
}
