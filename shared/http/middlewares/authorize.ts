/**
 * Bearer-key check for the matched route: 401 without a valid key; 403 when the key
 * lacks admin rights, the scope, or the path's instance. Per-event instance checks
 * (ingest, event lookups) happen in the services, which know the instance.
 */
import type { MiddlewareObj } from '@middy/core';
import { canAccessInstance, hasScope } from '../../domain/apiKeys';
import { forbidden, unauthorized } from '../../domain/errors';
import type { Authenticator } from '../../services/authenticate';
import type { HttpContext, HttpEvent, HttpResult } from '../types';

export function authorize(authenticator: Authenticator): MiddlewareObj<HttpEvent, HttpResult, unknown, HttpContext> {
  return {
    before: async function checkKey(request) {
      const state = request.context.http;
      const auth = state.route?.auth ?? 'admin';
      // Source tokens are checked by the sourceToken middleware, never as API keys.
      if (auth === 'none' || auth === 'sourceToken') return;
      const principal = await authenticator.authenticate(request.event.headers?.authorization);
      if (!principal) throw unauthorized();
      state.principal = principal;
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
