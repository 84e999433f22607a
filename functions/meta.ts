/** GET /v1/health, GET /v1/openapi.json, and API Gateway's $default route (404/405). */
import { createHttpFunction } from '../shared/http/createHttpFunction';
import type { HttpHandler } from '../shared/http/createHttpFunction';
import { buildOpenApiDocument } from '../shared/http/openapi';
import { json } from '../shared/http/response';
import type { Runtime } from '../shared/runtime';
import { lazyHttpHandler } from '../shared/wiring/base';

export function createMetaHandler(rt: Pick<Runtime, 'config' | 'logger' | 'authenticator'>): HttpHandler {
  let openApi: string | undefined;
  return createHttpFunction(
    'meta',
    {
      getHealth: async () => json(200, { status: 'ok', version: rt.config.version }),
      getOpenApi: async () => {
        openApi ??= JSON.stringify(buildOpenApiDocument(rt.config.version));
        return { statusCode: 200, headers: { 'content-type': 'application/json; charset=utf-8' }, body: openApi };
      },
    },
    rt,
  );
}

export const handler = lazyHttpHandler(createMetaHandler);
