/**
 * POST/GET /v1/api-keys, DELETE /v1/api-keys/{keyId} (admin only), and the console's
 * sign-in: POST /v1/sessions, DELETE /v1/sessions/current, GET /v1/me.
 */
import { clearedSessionCookie, describePrincipal, sessionCookie } from '../shared/domain/sessions';
import { createHttpFunction, operation } from '../shared/http/createHttpFunction';
import type { HttpHandler } from '../shared/http/createHttpFunction';
import { apiKeysInputs } from '../shared/http/inputs/apiKeys';
import { json, noContent } from '../shared/http/response';
import type { Runtime } from '../shared/runtime';
import { lazyHttpHandler } from '../shared/wiring/base';
import { createApiKey, listApiKeys, revokeApiKey } from '../shared/services/apiKeys';
import { endSession, startSession } from '../shared/services/sessions';

/** Secure unless served over plain HTTP by the local stack (a browser drops Secure cookies on http://). */
function wantsSecureCookie(mode: string, headers: Record<string, string | undefined>): boolean {
  return mode !== 'local' || headers['x-forwarded-proto'] === 'https';
}

export function createApiKeysHandler(rt: Pick<Runtime, 'config' | 'logger' | 'authenticator' | 'apiKeys' | 'sessions'>): HttpHandler {
  const deps = { store: rt.apiKeys };
  const sessionDeps = { authenticator: rt.authenticator, sessions: rt.sessions };
  return createHttpFunction(
    'apiKeys',
    {
      createApiKey: operation(apiKeysInputs.createApiKey, async ({ body }) => {
        const created = await createApiKey(deps, body);
        rt.logger.info('api key created', { keyId: created.keyId, scopes: created.scopes });
        return json(201, created, { location: `/v1/api-keys/${created.keyId}` });
      }),
      listApiKeys: operation(apiKeysInputs.listApiKeys, async () => json(200, { apiKeys: await listApiKeys(deps) })),
      revokeApiKey: operation(apiKeysInputs.revokeApiKey, async ({ params }) => {
        await revokeApiKey(deps, params.keyId);
        rt.logger.info('api key revoked', { keyId: params.keyId });
        return noContent();
      }),
      createSession: operation(apiKeysInputs.createSession, async ({ body, headers }) => {
        const session = await startSession(sessionDeps, body.apiKey);
        const principal = describePrincipal(session.principal);
        rt.logger.info('console session started', { principal: principal.kind, keyId: principal.keyId });
        const response = json(201, { principal, expiresAt: session.expiresAt });
        const secure = wantsSecureCookie(rt.config.mode, headers);
        return { ...response, cookies: [sessionCookie(session.token, { secure, maxAgeSeconds: session.maxAgeSeconds })] };
      }),
      endSession: operation(apiKeysInputs.endSession, async ({ sessionToken, headers }) => {
        if (sessionToken !== undefined) await endSession(sessionDeps, sessionToken);
        return { ...noContent(), cookies: [clearedSessionCookie(wantsSecureCookie(rt.config.mode, headers))] };
      }),
      getMe: operation(apiKeysInputs.getMe, async ({ principal }) => json(200, describePrincipal(principal))),
    },
    rt,
  );
}

export const handler = lazyHttpHandler(createApiKeysHandler);
