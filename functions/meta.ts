/** GET /v1/health (?deep=true: the table and the queue too), GET /v1/openapi.json, and API Gateway's $default route (404/405). */
import { createHttpFunction, operation } from '../shared/http/createHttpFunction';
import type { HttpHandler } from '../shared/http/createHttpFunction';
import { json } from '../shared/http/response';
import type { Runtime } from '../shared/runtime';
import { lazyPublicHttpHandler } from '../shared/wiring/entry';
import { metaInputs } from '../shared/http/inputs/meta';
import type { DeepHealth } from '../shared/services/health';

export interface MetaDeps {
  /** The deep check; built on first use (tests inject probes against stopped parts). */
  deepHealth?: () => Promise<DeepHealth>;
}

export function createMetaHandler(rt: Pick<Runtime, 'config' | 'logger'>, deps: MetaDeps = {}): HttpHandler {
  let openApi: Promise<string> | undefined;
  let deepHealth = deps.deepHealth;
  /**
   * The AWS clients load only when a deep check is asked for: the plain health check and
   * the $default route (404/405) stay as light as a cold start can be.
   */
  async function runDeepHealth(): Promise<DeepHealth> {
    if (!deepHealth) {
      const { deepHealthCheck } = await import('../shared/wiring/health');
      deepHealth = deepHealthCheck(rt.config);
    }
    return deepHealth();
  }
  /** Every function's schemas, built once and only when the document is first asked for. */
  async function renderOpenApi(): Promise<string> {
    const { buildOpenApiDocument } = await import('../shared/http/openapi');
    return JSON.stringify(buildOpenApiDocument(rt.config.version));
  }
  return createHttpFunction(
    'meta',
    {
      getHealth: operation(metaInputs.getHealth, async ({ query }) => {
        if (query.deep !== 'true') return json(200, { status: 'ok', version: rt.config.version });
        const health = await runDeepHealth();
        if (health.status !== 'ok') rt.logger.error('deep health check failed', { failing: health.failing });
        return json(health.status === 'ok' ? 200 : 503, { status: health.status, version: rt.config.version, checks: health.checks, ...(health.failing.length > 0 ? { failing: health.failing } : {}) });
      }),
      getOpenApi: operation(metaInputs.getOpenApi, async () => {
        // A failed build is not kept: the next request tries again.
        openApi ??= renderOpenApi().catch((error: unknown) => {
          openApi = undefined;
          throw error;
        });
        return { statusCode: 200, headers: { 'content-type': 'application/json; charset=utf-8' }, body: await openApi };
      }),
    },
    rt,
  );
}

export const handler = lazyPublicHttpHandler((app) => createMetaHandler(app));
