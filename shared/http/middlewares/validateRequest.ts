/** zod validation of path parameters, query and body → 400 ValidationFailed with details[].path. */
import type { MiddlewareObj } from '@middy/core';
import { validationFailed } from '../../domain/errors';
import type { ErrorDetail } from '../../domain/errors';
import { issuesToDetails } from '../../domain/validation';

export { issuesToDetails };
import type { HttpContext, HttpEvent, HttpResult } from '../types';

export function validateRequest(): MiddlewareObj<HttpEvent, HttpResult, unknown, HttpContext> {
  return {
    before: function validate(request) {
      const state = request.context.http;
      const route = state.route;
      if (!route) return;
      const details: ErrorDetail[] = [];
      for (const [name, schema] of Object.entries(route.params ?? {})) {
        const result = schema.safeParse(state.params[name]);
        if (!result.success) details.push(...issuesToDetails(result.error.issues, ['path', name]));
      }
      const rawQuery = request.event.queryStringParameters ?? {};
      if (route.query) {
        const result = route.query.safeParse(rawQuery);
        if (result.success) state.query = result.data as Record<string, string>;
        else details.push(...issuesToDetails(result.error.issues, ['query']));
      } else {
        for (const key of Object.keys(rawQuery)) details.push({ path: `query.${key}`, message: 'unknown parameter' });
      }
      if (route.body && route.validateBody !== false) {
        const result = route.body.safeParse(state.body);
        if (result.success) state.body = result.data;
        else details.push(...issuesToDetails(result.error.issues));
      }
      if (details.length > 0) throw validationFailed(details);
    },
  };
}
