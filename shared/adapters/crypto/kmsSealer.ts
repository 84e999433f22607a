/**
 * Envelope encryption with KMS-wrapped data keys (deployed stages). The sealed format and
 * the AES-GCM work are shared with the local sealer (secretSealer.ts); this module adds
 * the KMS calls and a small cache of unwrapped data keys. A module of its own so that
 * whatever imports only the local sealer (tests, local tools) never loads the KMS client.
 */
import { DecryptCommand, GenerateDataKeyCommand } from '@aws-sdk/client-kms';
import type { DecryptCommandOutput, GenerateDataKeyCommandOutput } from '@aws-sdk/client-kms';
import { checkContext, checkInputs, KEY_BYTES, openWith, parseSealed, SealError, sealWith } from './secretSealer';
import type { SecretSealer } from './secretSealer';

const KMS_REJECTIONS = new Set(['InvalidCiphertextException', 'IncorrectKeyException']);

/** The slice of KMSClient the sealer needs; narrow so tests can supply an in-process fake. `KMSClient` satisfies it. */
export interface KmsPort {
  send(command: GenerateDataKeyCommand): Promise<GenerateDataKeyCommandOutput>;
  send(command: DecryptCommand): Promise<DecryptCommandOutput>;
}

export interface KmsSealerOptions {
  keyId: string;
  client: KmsPort;
  /** Max unwrapped data keys kept in memory; 0 disables caching. */
  cacheSize?: number;
  cacheTtlMs?: number;
  /** Clock for cache expiry; injectable so TTL behaviour is testable without waiting. */
  now?: () => number;
}

export function kmsSealer(opts: KmsSealerOptions): SecretSealer {
  const { keyId, client } = opts;
  const cache = ttlLru<Buffer>(opts.cacheSize ?? 100, opts.cacheTtlMs ?? 5 * 60_000, opts.now ?? Date.now);

  async function unwrap(wrappedKey: Buffer, context: string): Promise<Buffer> {
    let out: DecryptCommandOutput;
    try {
      out = await client.send(new DecryptCommand({ CiphertextBlob: wrappedKey, KeyId: keyId, EncryptionContext: { purpose: context } }));
    } catch (err) {
      // Only "this ciphertext is not valid here" becomes SealError; throttling/network/permission errors stay retryable as-is.
      if (err instanceof Error && KMS_REJECTIONS.has(err.name)) throw new SealError('KMS rejected the wrapped data key (wrong context, key or tampered)');
      throw err;
    }
    if (out.Plaintext?.length !== KEY_BYTES) throw new SealError('KMS returned no usable data key');
    return Buffer.from(out.Plaintext);
  }

  return {
    async seal(plaintext, context) {
      const pt = checkInputs(plaintext, context);
      const out = await client.send(new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: 'AES_256', EncryptionContext: { purpose: context } }));
      if (out.Plaintext?.length !== KEY_BYTES || !out.CiphertextBlob?.length) throw new SealError('KMS returned no usable data key');
      const dataKey = Buffer.from(out.Plaintext);
      try {
        return sealWith('kms', dataKey, Buffer.from(out.CiphertextBlob), pt, context);
      } finally {
        dataKey.fill(0);
        out.Plaintext.fill(0);
      }
    },
    async open(sealed, context) {
      checkContext(context);
      const parts = parseSealed(sealed, 'kms');
      // Context is part of the key so a cache hit never skips the KMS-side context check for a different record.
      const cacheKey = JSON.stringify([context, parts.wrappedKey.toString('base64url')]);
      let dataKey = cache.get(cacheKey);
      if (!dataKey) {
        dataKey = await unwrap(parts.wrappedKey, context);
        cache.set(cacheKey, dataKey);
      }
      return openWith(dataKey, parts, context);
    },
  };
}

/** Map iteration order is insertion order, so re-inserting on read gives LRU eviction for free. */
function ttlLru<V>(max: number, ttlMs: number, now: () => number) {
  const entries = new Map<string, { value: V; expiresAt: number }>();
  return {
    get(key: string): V | undefined {
      const hit = entries.get(key);
      if (!hit) return undefined;
      entries.delete(key);
      if (hit.expiresAt <= now()) return undefined;
      entries.set(key, hit);
      return hit.value;
    },
    set(key: string, value: V): void {
      entries.delete(key);
      entries.set(key, { value, expiresAt: now() + ttlMs });
      for (const oldest of entries.keys()) {
        if (entries.size <= max) break;
        entries.delete(oldest);
      }
    },
  };
}
