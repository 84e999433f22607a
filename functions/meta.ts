/** GET /v1/health, GET /v1/openapi.json, and API Gateway's $default route (404/405). */
import { createHttpFunction } from '../shared/http/createHttpFunction';
import type { HttpHandler } from '../shared/http/createHttpFunction';
import { json } from '../shared/http/response';
import type { Runtime } from '../shared/runtime';
import { lazyPublicHttpHandler } from '../shared/wiring/entry';

export function createMetaHandler(rt: Pick<Runtime, 'config' | 'logger'>): HttpHandler {
  let openApi: Promise<string> | undefined;
  /** Every function's schemas, built once and only when the document is first asked for. */
  async function renderOpenApi(): Promise<string> {
    const { buildOpenApiDocument } = await import('../shared/http/openapi');
    return JSON.stringify(buildOpenApiDocument(rt.config.version));
  }
  return createHttpFunction(
    'meta',
    {},
    {
      getHealth: async () => json(200, { status: 'ok', version: rt.config.version }),
      getOpenApi: async () => {
        // A failed build is not kept: the next request tries again.
        openApi ??= renderOpenApi().catch((error: unknown) => {
          openApi = undefined;
          throw error;
        });
        return { statusCode: 200, headers: { 'content-type': 'application/json; charset=utf-8' }, body: await openApi };
      },
    },
    rt,
  );
}

export const handler = lazyPublicHttpHandler(createMetaHandler);
