/**
 * Opaque, tamper-proof pagination tokens: the resume key, the instance and a hash of
 * the filters, MACed with HMAC-SHA256. An edited token, or one minted for another
 * instance or other filters, is refused (400) and can never read another instance's data.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { validationFailed } from '../domain/errors';
import type { HistoryFilter, PageKey } from './historyPorts';

export function filterHash(filter: HistoryFilter): string {
  const ordered = ['ruleId', 'eventType', 'status', 'namespace', 'repoName', 'deliveryState'].map((k) => filter[k as keyof HistoryFilter] ?? '');
  return createHash('sha256').update(JSON.stringify(ordered)).digest('base64url').slice(0, 16);
}

const mac = (key: Buffer, body: string) => createHmac('sha256', key).update(body).digest();

export function encodePageToken(key: Buffer, instanceId: string, filter: HistoryFilter, next: PageKey): string {
  const body = Buffer.from(JSON.stringify({ v: 1, i: instanceId, f: filterHash(filter), k: next })).toString('base64url');
  return `${body}.${mac(key, body).toString('base64url')}`;
}

const invalid = () => validationFailed([{ path: 'query.nextToken', message: 'is not a valid token for this listing' }]);

export function decodePageToken(key: Buffer, token: string, instanceId: string, filter: HistoryFilter): PageKey {
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
  const p = payload as { v?: unknown; i?: unknown; f?: unknown; k?: unknown };
  if (p.v !== 1 || p.i !== instanceId || p.f !== filterHash(filter) || typeof p.k !== 'object' || p.k === null) throw invalid();
  const k = p.k as Record<string, unknown>;
  const pageKey: PageKey = {};
  // By delivery state the listing reads the state index (gsi4), else history (gsi1).
  const byState = filter.deliveryState !== undefined;
  for (const name of byState ? ['pk', 'sk', 'instanceId', 'stateKey'] : ['pk', 'sk', 'gsi1pk', 'gsi1sk']) {
    if (typeof k[name] !== 'string') throw invalid();
    pageKey[name] = k[name];
  }
  if (byState ? pageKey.instanceId !== instanceId || !pageKey.stateKey?.startsWith(`${filter.deliveryState}#`) : pageKey.gsi1pk !== `INST#${instanceId}#EVENTS`) throw invalid();
  return pageKey;
}
