/**
 * The three CloudEvents HTTP content modes, mapped to structured events:
 *   binary     — `ce-specversion` header present: attributes in ce-* headers, body = data
 *   batch      — application/cloudevents-batch+json: a JSON array of 1–100 events
 *   structured — application/cloudevents+json or application/json: one event
 */
import { MAX_BATCH } from '../domain/cloudEvents';
import { unsupportedMediaType, validationFailed } from '../domain/errors';

export type IngestPayload = { mode: 'single'; event: unknown } | { mode: 'batch'; events: unknown[] };

function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

function headerValue(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

export function toIngestPayload(headers: Record<string, string | undefined>, body: unknown): IngestPayload {
  const type = mediaType(headers['content-type']);
  if (headers['ce-specversion'] !== undefined) {
    const event: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
    for (const [name, value] of Object.entries(headers)) {
      if (!name.startsWith('ce-') || value === undefined) continue;
      const attribute = name.slice(3);
      if (attribute === 'data' || attribute === '' || attribute === '__proto__') continue;
      event[attribute] = headerValue(value);
    }
    if (type !== '') event.datacontenttype = type;
    if (body !== undefined) event.data = body;
    return { mode: 'single', event: { ...event } };
  }
  if (type === 'application/cloudevents-batch+json') {
    if (!Array.isArray(body)) throw validationFailed([{ path: '', message: 'a batch must be a JSON array of CloudEvents' }]);
    if (body.length < 1 || body.length > MAX_BATCH) {
      throw validationFailed([{ path: '', message: `a batch holds 1 to ${MAX_BATCH} events (got ${body.length})` }]);
    }
    return { mode: 'batch', events: body };
  }
  if (type === '' || type === 'application/json' || type === 'application/cloudevents+json') {
    if (body === undefined) throw validationFailed([{ path: '', message: 'a CloudEvent is required' }]);
    return { mode: 'single', event: body };
  }
  throw unsupportedMediaType();
}
