/**
 * Wiring of the deep health check: probes of the configured table and queue behind the
 * short-lived cache. Imported by meta only when a deep check is asked for, so the plain
 * health check and the $default route load no AWS client.
 */
import { healthProbes } from '../adapters/health/probes';
import type { Config } from '../config';
import { cachedDeepHealth } from '../services/health';
import type { DeepHealth } from '../services/health';

export function deepHealthCheck(config: Config): () => Promise<DeepHealth> {
  return cachedDeepHealth(healthProbes(config));
}
