/** API key use cases: create (secret shown once), list, revoke. */
import { createHash, randomBytes } from 'node:crypto';
import { formatApiKey } from '../domain/apiKeys';
import type { ApiKeySummary } from '../domain/apiKeys';
import type { CreateApiKeyRequest } from '../domain/apiKeySchemas';
import { notFound } from '../domain/errors';
import type { ApiKeyRecord, ApiKeyStore } from './apiKeyPorts';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

export function randomId(length: number): string {
  // Rejection sampling keeps the distribution uniform over the alphabet.
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 252 && out.length < length) out += ALPHABET[byte % 36];
    }
  }
  return out;
}

export function hashApiKey(presented: string): string {
  return createHash('sha256').update(presented, 'utf8').digest('hex');
}

export function toSummary(record: ApiKeyRecord): ApiKeySummary {
  return {
    keyId: record.keyId,
    name: record.name,
    scopes: record.scopes,
    instanceIds: record.instanceIds,
    createdAt: record.createdAt,
    status: record.revokedAt ? 'revoked' : 'active',
    ...(record.revokedAt ? { revokedAt: record.revokedAt } : {}),
  };
}

export interface ApiKeyServiceDeps {
  store: ApiKeyStore;
  now?: () => Date;
}

export async function createApiKey(deps: ApiKeyServiceDeps, request: CreateApiKeyRequest) {
  const keyId = `ak-${randomId(16)}`;
  const apiKey = formatApiKey(keyId, randomBytes(32).toString('base64url'));
  const createdAt = (deps.now?.() ?? new Date()).toISOString();
  await deps.store.put({
    keyId,
    name: request.name,
    scopes: [...request.scopes],
    instanceIds: [...request.instanceIds],
    keyHash: hashApiKey(apiKey),
    createdAt,
  });
  return { keyId, apiKey, name: request.name, scopes: request.scopes, instanceIds: request.instanceIds, createdAt };
}

export async function listApiKeys(deps: ApiKeyServiceDeps): Promise<ApiKeySummary[]> {
  const records = await deps.store.list();
  return records.map(toSummary);
}

export async function revokeApiKey(deps: ApiKeyServiceDeps, keyId: string): Promise<void> {
  const found = await deps.store.revoke(keyId, (deps.now?.() ?? new Date()).toISOString());
  if (!found) throw notFound('ApiKeyNotFound', `No API key ${keyId}.`);
}
