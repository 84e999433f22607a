/** POST/GET /v1/api-keys, DELETE /v1/api-keys/{keyId} (admin only). */
import type { CreateApiKeyRequest } from '../shared/domain/apiKeys';
import { createHttpFunction } from '../shared/http/createHttpFunction';
import type { HttpHandler } from '../shared/http/createHttpFunction';
import { apiKeysInputs } from '../shared/http/inputs/apiKeys';
import { json, noContent } from '../shared/http/response';
import type { Runtime } from '../shared/runtime';
import { lazyHttpHandler } from '../shared/wiring/base';
import { createApiKey, listApiKeys, revokeApiKey } from '../shared/services/apiKeys';

export function createApiKeysHandler(rt: Pick<Runtime, 'logger' | 'authenticator' | 'apiKeys'>): HttpHandler {
  const deps = { store: rt.apiKeys };
  return createHttpFunction(
    'apiKeys',
    apiKeysInputs,
    {
      createApiKey: async ({ body }) => {
        const created = await createApiKey(deps, body as CreateApiKeyRequest);
        rt.logger.info('api key created', { keyId: created.keyId, scopes: created.scopes });
        return json(201, created, { location: `/v1/api-keys/${created.keyId}` });
      },
      listApiKeys: async () => json(200, { apiKeys: await listApiKeys(deps) }),
      revokeApiKey: async ({ params }) => {
        await revokeApiKey(deps, params.keyId ?? '');
        rt.logger.info('api key revoked', { keyId: params.keyId });
        return noContent();
      },
    },
    rt,
  );
}

export const handler = lazyHttpHandler(createApiKeysHandler);
