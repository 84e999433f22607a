/**
 * Narrowing of untrusted JSON request members into typed values. Every mismatch becomes an
 * SqsError so that bad input yields a 400, never an exception escaping the server.
 */
import { SqsError, invalidParameter } from './errors';

export type JsonObject = Record<string, unknown>;

export const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

const missing = (key: string): SqsError => new SqsError('MissingParameter', `The request must contain the parameter ${key}.`);

export function optString(input: JsonObject, key: string): string | undefined {
  const v = input[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw invalidParameter(`Value for parameter ${key} must be a string.`);
  return v;
}

export function reqString(input: JsonObject, key: string): string {
  const v = optString(input, key);
  if (v === undefined || v === '') throw missing(key);
  return v;
}

export function optInt(input: JsonObject, key: string): number | undefined {
  const v = input[key];
  if (v === undefined || v === null) return undefined;
  // Older clients serialise integers as strings; accept both.
  const n = typeof v === 'string' && /^-?\d+$/.test(v.trim()) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isSafeInteger(n)) throw invalidParameter(`Value ${String(v)} for parameter ${key} is invalid. Reason: must be an integer.`);
  return n;
}

export function reqInt(input: JsonObject, key: string): number {
  const v = optInt(input, key);
  if (v === undefined) throw missing(key);
  return v;
}

export function optStringList(input: JsonObject, key: string): string[] | undefined {
  const v = input[key];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || !v.every((s): s is string => typeof s === 'string')) {
    throw invalidParameter(`Value for parameter ${key} must be a list of strings.`);
  }
  return v;
}

export function optMap(input: JsonObject, key: string): JsonObject | undefined {
  const v = input[key];
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) throw invalidParameter(`Value for parameter ${key} must be a map.`);
  return v;
}

const ENTRY_ID = /^[A-Za-z0-9_-]{1,80}$/;

/** Validates the envelope of a *Batch request: 1–10 entries with distinct, well-formed ids. */
export function batchEntries(input: JsonObject, entryShape: string): (JsonObject & { Id: string })[] {
  const raw = input.Entries;
  if (raw === undefined || raw === null || (Array.isArray(raw) && raw.length === 0)) {
    throw new SqsError('EmptyBatchRequest', `There should be at least one ${entryShape} in the request.`);
  }
  if (!Array.isArray(raw)) throw invalidParameter('Value for parameter Entries must be a list.');
  if (raw.length > 10) {
    throw new SqsError('TooManyEntriesInBatchRequest', `Maximum number of entries per request are 10. You have sent ${raw.length}.`);
  }
  const seen = new Set<string>();
  return raw.map((entry: unknown) => {
    const id = isObject(entry) ? entry.Id : undefined;
    if (!isObject(entry) || typeof id !== 'string' || !ENTRY_ID.test(id)) {
      throw new SqsError('InvalidBatchEntryId', 'A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.');
    }
    if (seen.has(id)) throw new SqsError('BatchEntryIdsNotDistinct', `Id ${id} repeated.`);
    seen.add(id);
    return { ...entry, Id: id };
  });
}

/** A batch entry's failure, in the shape of BatchResultErrorEntry. */
export function batchFailure(id: string, err: unknown): JsonObject {
  if (err instanceof SqsError) return { Id: id, SenderFault: err.senderFault, Code: err.queryCode, Message: err.message };
  return { Id: id, SenderFault: false, Code: 'InternalError', Message: 'Internal error.' };
}

/**
 * Accepts a full queue URL (any host: clients may reach the emulator through another
 * address) or, leniently, a bare queue name. The last path segment is the queue name.
 */
export function queueNameFromUrl(queueUrl: string): string {
  let path = queueUrl;
  try {
    path = new URL(queueUrl).pathname;
  } catch {
    // Not a URL: treated as a path or name below.
  }
  const name = path.split('/').filter((s) => s !== '').at(-1);
  if (name === undefined) throw new SqsError('QueueDoesNotExist', 'The specified queue does not exist.');
  return name;
}
