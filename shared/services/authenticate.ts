/**
 * Bearer-key authentication. Keys are compared by SHA-256 digest with
 * timingSafeEqual; lookups are cached briefly so a hot function does not read the
 * table on every request, but never longer than REVOCATION_CACHE_MS, which keeps
 * revocation effective within the 5 s the SPEC promises.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { keyIdOf } from '../domain/apiKeys';
import type { Principal } from '../domain/apiKeys';
import type { ApiKeyRecord, ApiKeyStore } from './apiKeyPorts';
import { hashApiKey } from './apiKeys';
import type { SessionRecord, SessionStore } from './sessions';
import { sha256Hex } from './sessions';

export const REVOCATION_CACHE_MS = 4_000;
const CACHE_LIMIT = 1_000;

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

function sameDigest(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

export interface Authenticator {
  /** The principal for an Authorization header value, or undefined (→ 401). */
  authenticate(authorization: string | undefined): Promise<Principal | undefined>;
  /** The principal a console session token stands for, re-checked like a bearer key; or undefined (→ 401). */
  authenticateSession(token: string): Promise<Principal | undefined>;
  /** Drops a cached session (sign-out), so it ends at once in this process. */
  forgetSession(tokenHash: string): void;
}

export function createAuthenticator(deps: {
  store: Pick<ApiKeyStore, 'get'>;
  adminKey: () => Promise<string>;
  /** Without it, no session authenticates (functions that serve no console). */
  sessions?: Pick<SessionStore, 'get'>;
  now?: () => number;
}): Authenticator {
  const now = deps.now ?? Date.now;
  const cache = new Map<string, { record: ApiKeyRecord | undefined; until: number }>();
  const sessionCache = new Map<string, { record: SessionRecord; until: number }>();

  async function sessionLookup(tokenHash: string): Promise<SessionRecord | undefined> {
    const hit = sessionCache.get(tokenHash);
    if (hit && hit.until > now()) return hit.record;
    const record = await deps.sessions?.get(tokenHash);
    if (sessionCache.size >= CACHE_LIMIT) sessionCache.clear();
    if (record) sessionCache.set(tokenHash, { record, until: now() + REVOCATION_CACHE_MS });
    return record;
  }

  function keyPrincipal(record: ApiKeyRecord): Principal {
    return { kind: 'key', keyId: record.keyId, name: record.name, scopes: record.scopes, instanceIds: record.instanceIds };
  }

  async function lookup(keyId: string): Promise<ApiKeyRecord | undefined> {
    const hit = cache.get(keyId);
    if (hit && hit.until > now()) return hit.record;
    const record = await deps.store.get(keyId);
    if (cache.size >= CACHE_LIMIT) cache.clear();
    // Only positive lookups are cached, so a new key works at once.
    if (record) cache.set(keyId, { record, until: now() + REVOCATION_CACHE_MS });
    return record;
  }

  return {
    async authenticate(authorization) {
      const match = /^Bearer[ ]+(\S{1,512})[ ]*$/i.exec(authorization ?? '');
      const presented = match?.[1];
      if (!presented) return undefined;
      const presentedDigest = digest(presented);

      const adminKey = await deps.adminKey();
      if (adminKey !== '' && sameDigest(presentedDigest, digest(adminKey))) return { kind: 'admin' };

      const keyId = keyIdOf(presented);
      if (!keyId) return undefined;
      const record = await lookup(keyId);
      if (!record || record.revokedAt) return undefined;
      const stored = Buffer.from(record.keyHash, 'hex');
      if (!sameDigest(Buffer.from(hashApiKey(presented), 'hex'), stored)) return undefined;
      return keyPrincipal(record);
    },

    async authenticateSession(token) {
      const session = await sessionLookup(sha256Hex(token));
      if (!session || Date.parse(session.expiresAt) <= now()) return undefined;
      const subject = session.subject;
      if (subject.kind === 'admin') {
        // The session ends when the admin key is rotated.
        const adminKey = await deps.adminKey();
        return adminKey !== '' && sameDigest(Buffer.from(subject.adminDigest, 'hex'), digest(adminKey)) ? { kind: 'admin' } : undefined;
      }
      const record = await lookup(subject.keyId);
      return record && !record.revokedAt ? keyPrincipal(record) : undefined;
    },

    forgetSession(tokenHash) {
      sessionCache.delete(tokenHash);
    },
  };
}
