/**
 * ACR's own CloudEvents (SPEC §11 `acr`), taken exactly as POST /v1/events takes them:
 * structured, batch or binary mode, with the same validation. The source fixes the
 * instance and region: `data.InstanceId` / `data.RegionId` default to the source's and
 * must equal them when given. A type this service does not know is ignored (so ACR does
 * not retry it); anything malformed fails the whole request (400), nothing recorded.
 */
import { isEventType } from '../domain/eventTypes';
import { AppError, validationFailed } from '../domain/errors';
import { cloudEventSchemas, parseRegistryEvent } from '../domain/cloudEvents';
import { issuesToDetails } from '../domain/validation';
import { toIngestPayload } from '../http/cloudEventModes';
import type { SourceContext, SourceDialect, SourceItem } from './dialect';

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function withPrefix(error: AppError, prefix: string): AppError {
  if (prefix === '' || !error.details) return error;
  return new AppError(error.code, error.status, error.message, { details: error.details.map((d) => ({ ...d, path: d.path === '' ? prefix : `${prefix}.${d.path}` })) });
}

function mapOne(input: unknown, index: number, prefix: string, context: SourceContext): SourceItem {
  if (!isRecord(input)) throw validationFailed([{ path: prefix, message: 'must be a CloudEvent object' }]);
  // Only a CloudEvent can be "an event type we do not map"; anything else is malformed.
  const envelope = cloudEventSchemas().envelope.safeParse(input);
  if (!envelope.success) throw withPrefix(validationFailed(issuesToDetails(envelope.error.issues)), prefix);
  if (!isEventType(envelope.data.type)) return { index, outcome: 'ignored', reason: 'not an event type this service maps' };
  const data = isRecord(input.data) ? input.data : undefined;
  const at = (field: string) => (prefix === '' ? `data.${field}` : `${prefix}.data.${field}`);
  if (data?.InstanceId !== undefined && data.InstanceId !== context.instanceId) {
    throw validationFailed([{ path: at('InstanceId'), message: `must be this source's instance ${context.instanceId}` }]);
  }
  if (data?.RegionId !== undefined && data.RegionId !== context.regionId) {
    throw validationFailed([{ path: at('RegionId'), message: `must be this source's region ${context.regionId}` }]);
  }
  const filled = data ? { ...input, data: { InstanceId: context.instanceId, RegionId: context.regionId, ...data } } : input;
  try {
    return { index, outcome: 'event', event: parseRegistryEvent(filled, context.receivedAt) };
  } catch (error) {
    throw error instanceof AppError ? withPrefix(error, prefix) : error;
  }
}

export const acrDialect: SourceDialect = {
  kind: 'acr',
  parse(body, context, headers) {
    // Kept in structured form, as POST /v1/events keeps a CloudEvent (binary mode's ce-* headers included).
    const payload = toIngestPayload(headers, body);
    if (payload.mode === 'single') return { payload: payload.event, items: [mapOne(payload.event, 0, '', context)] };
    return { payload: payload.events, items: payload.events.map((event, index) => mapOne(event, index, String(index), context)) };
  },
};
