/**
 * Opaque, tamper-proof pagination tokens: the resume key, the instance and a hash of
 * the filters, MACed with HMAC-SHA256. An edited token, or one minted for another
 * instance or other filters, is refused (400) and can never read another instance's data.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { validationFailed } from '../domain/errors';
import type { HistoryFilter, PageKey } from './historyPorts';

const FILTER_FIELDS = ['ruleId', 'eventType', 'status', 'namespace', 'repoName', 'deliveryState'] as const satisfies readonly (keyof HistoryFilter)[];

export function filterHash(filter: HistoryFilter): string {
  const ordered = FILTER_FIELDS.map((k) => filter[k] ?? '');
  return createHash('sha256').update(JSON.stringify(ordered)).digest('base64url').slice(0, 16);
}

const mac = (key: Buffer, body: string) => createHmac('sha256', key).update(body).digest();

export function encodePageToken(key: Buffer, instanceId: string, filter: HistoryFilter, next: PageKey): string {
  const body = Buffer.from(JSON.stringify({ v: 1, i: instanceId, f: filterHash(filter), k: next })).toString('base64url');
  return `${body}.${mac(key, body).toString('base64url')}`;
}

const invalid = () => validationFailed([{ path: 'query.nextToken', message: 'is not a valid token for this listing' }]);

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The resume key of a token minted by encodePageToken for this instance and filters.
 * `resumeKey` checks the key's shape against storage (HistoryStore.resumeKey): that it is
 * one this instance's listing could have produced.
 */
export function decodePageToken(
  key: Buffer,
  token: string,
  instanceId: string,
  filter: HistoryFilter,
  resumeKey: (raw: Record<string, unknown>) => PageKey | undefined,
): PageKey {
  const [body, signature, ...rest] = token.split('.');
  if (!body || !signature || rest.length > 0) throw invalid();
  const expected = mac(key, body);
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected) || given.toString('base64url') !== signature) throw invalid();
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!isRecord(payload) || payload.v !== 1 || payload.i !== instanceId || payload.f !== filterHash(filter) || !isRecord(payload.k)) throw invalid();
  const pageKey = resumeKey(payload.k);
  if (!pageKey) throw invalid();
  return pageKey;
}
