/**
 * Registry-source token check (SPEC §11) for routes with auth `sourceToken`: the bearer
 * must be the token of the source named in the path. Anything else — no token, an API
 * key, another source's token, a deleted source — is 401, before the body is read.
 */
import type { MiddlewareObj } from '@middy/core';
import { unauthorized } from '../../domain/errors';
import type { SourceAuthenticator } from '../../services/sources';
import type { HttpContext, HttpEvent, HttpResult } from '../types';

export function sourceToken(authenticator: SourceAuthenticator): MiddlewareObj<HttpEvent, HttpResult, unknown, HttpContext> {
  return {
    before: async function checkSourceToken(request) {
      const state = request.context.http;
      if (state.route?.auth !== 'sourceToken') return;
      const source = await authenticator.authenticate(state.params.sourceId, request.event.headers?.authorization);
      if (!source) throw unauthorized("This source's token is required (Authorization: Bearer <the token shown when the source was created>).");
      state.source = source;
    },
  };
}
