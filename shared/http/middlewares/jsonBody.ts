/**
 * JSON body parsing: 256 KiB cap (413), JSON media types only (415), strict UTF-8
 * and JSON.parse (400 MalformedJson), at most 64 levels of nesting (400
 * ValidationFailed). Runs only for routes that declare a body.
 */
import type { MiddlewareObj } from '@middy/core';
import { malformedJson, payloadTooLarge, unsupportedMediaType, validationFailed } from '../../domain/errors';
import { jsonDepth, MAX_JSON_DEPTH, tooDeepDetail } from '../../domain/jsonDepth';
import type { HttpContext, HttpEvent, HttpResult } from '../types';

export const MAX_BODY_BYTES = 256 * 1024;

export function isJsonMediaType(contentType: string | undefined): boolean {
  if (contentType === undefined || contentType.trim() === '') return true;
  const [type = '', ...params] = contentType.split(';').map((p) => p.trim().toLowerCase());
  const charset = params.find((p) => p.startsWith('charset='));
  if (charset && !['charset=utf-8', 'charset="utf-8"', 'charset=utf8'].includes(charset)) return false;
  return type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'));
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

export function decodeBody(event: Pick<HttpEvent, 'body' | 'isBase64Encoded'>): string | undefined {
  if (event.body === undefined || event.body === null) return undefined;
  const bytes = event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
  if (bytes.length > MAX_BODY_BYTES) throw payloadTooLarge(MAX_BODY_BYTES);
  if (!event.isBase64Encoded) return event.body;
  try {
    return utf8.decode(bytes);
  } catch {
    throw malformedJson();
  }
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw malformedJson();
  }
}

export function jsonBody(): MiddlewareObj<HttpEvent, HttpResult, unknown, HttpContext> {
  return {
    before: function parseBody(request) {
      const state = request.context.http;
      if (!state.inputs?.body) return;
      const text = decodeBody(request.event);
      if (text === undefined || text === '') {
        state.body = undefined;
        return;
      }
      if (!isJsonMediaType(request.event.headers?.['content-type'])) throw unsupportedMediaType();
      state.body = parseJson(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
      // JSON.parse does not recurse; everything after it may. A route that validates its
      // items itself (ingest: one bad event in a batch must not sink the others) checks
      // each item's depth instead.
      if (state.inputs.validateBody !== false && jsonDepth(state.body) > MAX_JSON_DEPTH) throw validationFailed([tooDeepDetail]);
    },
  };
}
