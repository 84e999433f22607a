/** zod validation of path parameters, query and body → 400 ValidationFailed with details[].path. */
import type { MiddlewareObj } from '@middy/core';
import * as z from 'zod/mini';
import { validationFailed } from '../../domain/errors';
import type { ErrorDetail } from '../../domain/errors';
import { issuesToDetails } from '../../domain/validation';
import type { HttpContext, HttpEvent, HttpResult } from '../types';

export function validateRequest(): MiddlewareObj<HttpEvent, HttpResult, unknown, HttpContext> {
  return {
    before: async function validate(request) {
      const state = request.context.http;
      const inputs = state.inputs;
      if (!state.route) return;
      const details: ErrorDetail[] = [];
      for (const [name, schema] of Object.entries(inputs.params ?? {})) {
        const result = z.safeParse(schema, state.params[name]);
        if (!result.success) details.push(...issuesToDetails(result.error.issues, ['path', name]));
      }
      const rawQuery = request.event.queryStringParameters ?? {};
      if (inputs.query) {
        const result = z.safeParse(inputs.query, rawQuery);
        if (result.success) state.query = result.data;
        else details.push(...issuesToDetails(result.error.issues, ['query']));
      } else {
        for (const key of Object.keys(rawQuery)) details.push({ path: `query.${key}`, message: 'unknown parameter' });
      }
      if (inputs.body && inputs.validateBody !== false) {
        // Async: some checks load what they need on first use (the RE2 engine for tag patterns).
        const result = await z.safeParseAsync(inputs.body, state.body);
        if (result.success) state.body = result.data;
        else details.push(...issuesToDetails(result.error.issues));
      }
      if (details.length > 0) throw validationFailed(details);
    },
  };
}
