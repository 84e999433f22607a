/**
 * Envelope encryption for secrets at rest (chatbot secrets, DingTalk webhook URLs, signing secrets),
 * so a table dump alone reveals nothing. Every seal uses a fresh AES-256-GCM data key; only the
 * wrapped data key is stored. Sealed format: `v1.<local|kms>.<wrappedKey>.<iv>.<ciphertext+tag>`,
 * segments base64url without padding.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { DecryptCommand, GenerateDataKeyCommand } from '@aws-sdk/client-kms';
import type { DecryptCommandOutput, GenerateDataKeyCommandOutput } from '@aws-sdk/client-kms';

export interface SecretSealer {
  /** Encrypts plaintext; `context` (e.g. "rule:<instanceId>:<ruleId>:secret") is bound as AAD / KMS encryption context so a sealed value cannot be moved to another record. */
  seal(plaintext: string, context: string): Promise<string>;
  open(sealed: string, context: string): Promise<string>;
}

/** Messages are fixed strings on purpose: nothing derived from plaintext or key material may leak into logs. */
export class SealError extends Error {
  override readonly name = 'SealError';
}

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

type Scheme = 'local' | 'kms';
interface Parts {
  wrappedKey: Buffer;
  iv: Buffer;
  body: Buffer;
}

const VERSION = 'v1';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const LOCAL_WRAPPED_BYTES = IV_BYTES + KEY_BYTES + TAG_BYTES;
const B64URL = /^[A-Za-z0-9_-]*$/;
const KMS_REJECTIONS = new Set(['InvalidCiphertextException', 'IncorrectKeyException']);

export function generateMasterKey(): string {
  return randomBytes(KEY_BYTES).toString('base64');
}

export function localKeySealer(masterKey: Buffer): SecretSealer {
  if (masterKey.length !== KEY_BYTES) throw new SealError(`master key must be ${KEY_BYTES} bytes`);
  // Copy so later mutation (or zeroing) of the caller's buffer cannot change the key under us.
  const master = Buffer.from(masterKey);
  return {
    async seal(plaintext, context) {
      const pt = checkInputs(plaintext, context);
      const dataKey = randomBytes(KEY_BYTES);
      try {
        const wrapped = gcmEncrypt(master, dataKey, context);
        return sealWith('local', dataKey, Buffer.concat([wrapped.iv, wrapped.body]), pt, context);
      } finally {
        dataKey.fill(0);
      }
    },
    async open(sealed, context) {
      checkContext(context);
      const parts = parse(sealed, 'local');
      if (parts.wrappedKey.length !== LOCAL_WRAPPED_BYTES) throw malformed();
      const dataKey = gcmDecrypt(master, parts.wrappedKey.subarray(0, IV_BYTES), parts.wrappedKey.subarray(IV_BYTES), context);
      try {
        return openWith(dataKey, parts, context);
      } finally {
        dataKey.fill(0);
      }
    },
  };
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
      const parts = parse(sealed, 'kms');
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

function checkContext(context: string): void {
  // An empty context would silently drop the record binding.
  if (context.length === 0) throw new SealError('context must not be empty');
}

function checkInputs(plaintext: string, context: string): Buffer {
  checkContext(context);
  const pt = Buffer.from(plaintext, 'utf8');
  // Lone surrogates would be replaced by U+FFFD and open() would return a different string; fail loudly instead.
  if (pt.toString('utf8') !== plaintext) throw new SealError('plaintext is not well-formed unicode');
  return pt;
}

function sealWith(scheme: Scheme, dataKey: Buffer, wrappedKey: Buffer, plaintext: Buffer, context: string): string {
  const { iv, body } = gcmEncrypt(dataKey, plaintext, context);
  return [VERSION, scheme, wrappedKey, iv, body].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
}

function openWith(dataKey: Buffer, parts: Parts, context: string): string {
  return gcmDecrypt(dataKey, parts.iv, parts.body, context).toString('utf8');
}

function parse(sealed: string, scheme: Scheme): Parts {
  const segments = sealed.split('.');
  const [version, kind, wrappedKey, iv, body] = segments;
  if (segments.length !== 5 || version !== VERSION || kind !== scheme || wrappedKey === undefined || iv === undefined || body === undefined) {
    throw malformed();
  }
  const parts = { wrappedKey: decodeSegment(wrappedKey), iv: decodeSegment(iv), body: decodeSegment(body) };
  if (parts.wrappedKey.length === 0 || parts.iv.length !== IV_BYTES || parts.body.length < TAG_BYTES) throw malformed();
  return parts;
}

function decodeSegment(segment: string): Buffer {
  // Node's decoder ignores stray characters and trailing bits; requiring the canonical encoding means any edit to the string is an edit to the bytes.
  const bytes = B64URL.test(segment) ? Buffer.from(segment, 'base64url') : undefined;
  if (!bytes || bytes.toString('base64url') !== segment) throw malformed();
  return bytes;
}

function malformed(): SealError {
  return new SealError('sealed value is malformed');
}

function gcmEncrypt(key: Buffer, plaintext: Buffer, aad: string): { iv: Buffer; body: Buffer } {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  return { iv, body: Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]) };
}

function gcmDecrypt(key: Buffer, iv: Buffer, body: Buffer, aad: string): Buffer {
  if (body.length < TAG_BYTES) throw malformed();
  try {
    // Explicit authTagLength: otherwise Node accepts truncated tags, weakening authentication.
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
    return Buffer.concat([decipher.update(body.subarray(0, body.length - TAG_BYTES)), decipher.final()]);
  } catch {
    // Node's message is harmless but generic; ours says what the caller needs to know.
    throw new SealError('sealed value failed authentication (wrong context, key or tampered)');
  }
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
