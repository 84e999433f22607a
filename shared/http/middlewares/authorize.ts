/**
 * Who is calling, for the matched route: a bearer API key, or else the console's session
 * cookie (SPEC §10). 401 without either; 403 when the principal lacks admin rights, the
 * scope, or the path's instance, and when a state-changing request rides on the cookie
 * without `x-requested-with: console` (a cross-site form cannot set that header). Per-event
 * instance checks (ingest, event lookups) happen in the services, which know the instance.
 */
import type { MiddlewareObj } from '@middy/core';
import { canAccessInstance, hasScope } from '../../domain/apiKeys';
import type { Principal } from '../../domain/apiKeys';
import { forbidden, unauthorized } from '../../domain/errors';
import { CONSOLE_REQUEST_HEADER, isSafeMethod, sessionTokenOf } from '../../domain/sessions';
import type { Authenticator } from '../../services/authenticate';
import type { HttpContext, HttpEvent, HttpResult } from '../types';

async function identify(authenticator: Authenticator, event: HttpEvent, state: HttpContext['http']): Promise<Principal | undefined> {
  const headers = event.headers ?? {};
  // An Authorization header always wins: API clients never depend on cookies.
  if (headers.authorization !== undefined) return authenticator.authenticate(headers.authorization);
  const token = sessionTokenOf(event.cookies, headers.cookie);
  if (token === undefined) return undefined;
  state.sessionToken = token;
  const principal = await authenticator.authenticateSession(token);
  const method = event.requestContext?.http?.method ?? 'GET';
  if (principal && !isSafeMethod(method) && headers[CONSOLE_REQUEST_HEADER.name] !== CONSOLE_REQUEST_HEADER.value) {
    throw forbidden(`A request signed in with the console session must carry ${CONSOLE_REQUEST_HEADER.name}: ${CONSOLE_REQUEST_HEADER.value}.`);
  }
  return principal;
}

export function authorize(authenticator: Authenticator): MiddlewareObj<HttpEvent, HttpResult, unknown, HttpContext> {
  return {
    before: async function checkKey(request) {
      const state = request.context.http;
      const auth = state.route?.auth ?? 'admin';
      // Source tokens are checked by the sourceToken middleware, never as API keys.
      if (auth === 'none' || auth === 'sourceToken') return;
      const principal = await identify(authenticator, request.event, state);
      if (!principal) throw unauthorized();
      state.principal = principal;
      if (auth === 'any') return;
      if (auth === 'admin') {
        if (principal.kind !== 'admin') throw forbidden('This operation needs the admin key.');
        return;
      }
      if (!hasScope(principal, auth)) throw forbidden(`This API key lacks the ${auth} scope.`);
      const instanceId = state.params.instanceId;
      if (instanceId !== undefined && !canAccessInstance(principal, instanceId)) {
        throw forbidden('This API key is not allowed on this instance.');
      }
    },
  };
}
