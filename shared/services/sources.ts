/**
 * Registry sources (SPEC §11): create (the token shown once, stored as a SHA-256 hash,
 * like API keys), list, get, delete; and token authentication for the native ingest
 * route. Lookups are cached only positively and never longer than REVOCATION_CACHE_MS,
 * so a deleted source's token stops working within the 5 s the SPEC promises.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { AppError, notFound } from '../domain/errors';
import { formatSourceToken, ingestUrlOf, sourceIdOfToken } from '../domain/sources';
import type { CreateSourceRequest, SourceView } from '../domain/sources';
import { randomId } from './apiKeys';
import { REVOCATION_CACHE_MS } from './authenticate';
import type { SourceRecord, SourceStore } from './sourcePorts';

export interface SourceServiceDeps {
  store: SourceStore;
  unsupportedRegions: ReadonlySet<string>;
  now?: () => Date;
}

const sha256 = (value: string) => createHash('sha256').update(value, 'utf8').digest();

export const sourceNotFound = (sourceId: string) => notFound('SourceNotFound', `No source ${sourceId} on this instance.`);

export function toSourceView(record: SourceRecord): SourceView {
  const { sourceId, name, kind, regionId, instanceId, createdAt } = record;
  return { sourceId, name, kind, regionId, instanceId, ingestUrl: ingestUrlOf(sourceId), createdAt };
}

export async function createSource(deps: SourceServiceDeps, instanceId: string, request: CreateSourceRequest): Promise<SourceView & { token: string }> {
  if (deps.unsupportedRegions.has(request.regionId)) {
    throw new AppError('RegionNotSupported', 400, `Sources cannot be created in region ${request.regionId}.`);
  }
  const sourceId = `src-${randomId(16)}`;
  const token = formatSourceToken(sourceId, randomBytes(32).toString('base64url'));
  const record: SourceRecord = {
    sourceId,
    instanceId,
    name: request.name,
    kind: request.kind,
    regionId: request.regionId,
    tokenHash: sha256(token).toString('hex'),
    createdAt: (deps.now?.() ?? new Date()).toISOString(),
  };
  await deps.store.put(record);
  const view = toSourceView(record);
  return { sourceId: view.sourceId, name: view.name, kind: view.kind, regionId: view.regionId, instanceId, ingestUrl: view.ingestUrl, token, createdAt: view.createdAt };
}

export async function listSources(deps: SourceServiceDeps, instanceId: string): Promise<SourceView[]> {
  return (await deps.store.list(instanceId)).map(toSourceView);
}

export async function getSource(deps: SourceServiceDeps, instanceId: string, sourceId: string): Promise<SourceView> {
  const record = await deps.store.get(sourceId);
  if (!record || record.instanceId !== instanceId) throw sourceNotFound(sourceId);
  return toSourceView(record);
}

export async function deleteSource(deps: SourceServiceDeps, instanceId: string, sourceId: string): Promise<void> {
  if (!(await deps.store.remove(instanceId, sourceId))) throw sourceNotFound(sourceId);
}

/** The source a request speaks for, once its token checked out. */
export type AuthenticatedSource = Omit<SourceRecord, 'tokenHash'>;

export interface SourceAuthenticator {
  /** The source for `sourceId` when `authorization` carries its token; undefined (→ 401) otherwise. */
  authenticate(sourceId: string | undefined, authorization: string | undefined): Promise<AuthenticatedSource | undefined>;
}

export function createSourceAuthenticator(deps: { store: Pick<SourceStore, 'get'>; now?: () => number }): SourceAuthenticator {
  const now = deps.now ?? Date.now;
  const cache = new Map<string, { record: SourceRecord; until: number }>();

  async function lookup(sourceId: string): Promise<SourceRecord | undefined> {
    const hit = cache.get(sourceId);
    if (hit && hit.until > now()) return hit.record;
    const record = await deps.store.get(sourceId);
    if (cache.size >= 1_000) cache.clear();
    if (record) cache.set(sourceId, { record, until: now() + REVOCATION_CACHE_MS });
    else cache.delete(sourceId);
    return record;
  }

  return {
    async authenticate(sourceId, authorization) {
      const presented = /^Bearer[ ]+(\S{1,512})[ ]*$/i.exec(authorization ?? '')?.[1];
      if (!presented || sourceId === undefined || sourceIdOfToken(presented) !== sourceId) return undefined;
      const record = await lookup(sourceId);
      if (!record) return undefined;
      const stored = Buffer.from(record.tokenHash, 'hex');
      const given = sha256(presented);
      if (stored.length !== given.length || !timingSafeEqual(stored, given)) return undefined;
      const { tokenHash: _hash, ...source } = record;
      return source;
    },
  };
}
