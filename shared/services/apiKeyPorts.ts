/** The API key store the key and auth services use; shared/adapters/dynamo/apiKeyRepository.ts implements it. */
import type { Scope } from '../domain/apiKeys';

export interface ApiKeyRecord {
  keyId: string;
  name: string;
  scopes: Scope[];
  instanceIds: string[];
  keyHash: string;
  createdAt: string;
  revokedAt?: string;
}

export interface ApiKeyStore {
  put(record: ApiKeyRecord): Promise<void>;
  get(keyId: string): Promise<ApiKeyRecord | undefined>;
  list(): Promise<ApiKeyRecord[]>;
  /** Marks the key revoked; returns false when no such key exists. */
  revoke(keyId: string, at: string): Promise<boolean>;
}
