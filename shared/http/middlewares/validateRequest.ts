/**
 * The route's inputs check path parameters, query and body (400 ValidationFailed with
 * details[].path) and prepare what the operation reads; they keep the result for the
 * operation, typed (see ../routeInputs.ts).
 */
import type { MiddlewareObj } from '@middy/core';
import type { HttpContext, HttpEvent, HttpResult } from '../types';

export function validateRequest(): MiddlewareObj<HttpEvent, HttpResult, unknown, HttpContext> {
  return {
    before: async function validate(request) {
      const state = request.context.http;
      if (!state.route || !state.inputs) return;
      await state.inputs.accept(state, {
        params: state.params,
        query: request.event.queryStringParameters ?? {},
        body: state.body,
        headers: request.event.headers ?? {},
      });
    },
  };
}
