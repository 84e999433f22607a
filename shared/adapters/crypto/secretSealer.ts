/**
 * Envelope encryption for secrets at rest (chatbot secrets, DingTalk webhook URLs, signing secrets),
 * so a table dump alone reveals nothing. Every seal uses a fresh AES-256-GCM data key; only the
 * wrapped data key is stored. Sealed format: `v1.<local|kms>.<wrappedKey>.<iv>.<ciphertext+tag>`,
 * segments base64url without padding. The KMS flavour is in kmsSealer.ts, so what needs
 * only the local sealer (local tools, tests) never loads the KMS client.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

import type { SecretSealer } from '../../services/secretSealerPort';

export type { SecretSealer } from '../../services/secretSealerPort';

/** Messages are fixed strings on purpose: nothing derived from plaintext or key material may leak into logs. */
export class SealError extends Error {
  override readonly name = 'SealError';
}

export type Scheme = 'local' | 'kms';
export interface Parts {
  wrappedKey: Buffer;
  iv: Buffer;
  body: Buffer;
}

const VERSION = 'v1';
export const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const LOCAL_WRAPPED_BYTES = IV_BYTES + KEY_BYTES + TAG_BYTES;
const B64URL = /^[A-Za-z0-9_-]*$/;

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
      const parts = parseSealed(sealed, 'local');
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

export function checkContext(context: string): void {
  // An empty context would silently drop the record binding.
  if (context.length === 0) throw new SealError('context must not be empty');
}

export function checkInputs(plaintext: string, context: string): Buffer {
  checkContext(context);
  const pt = Buffer.from(plaintext, 'utf8');
  // Lone surrogates would be replaced by U+FFFD and open() would return a different string; fail loudly instead.
  if (pt.toString('utf8') !== plaintext) throw new SealError('plaintext is not well-formed unicode');
  return pt;
}

export function sealWith(scheme: Scheme, dataKey: Buffer, wrappedKey: Buffer, plaintext: Buffer, context: string): string {
  const { iv, body } = gcmEncrypt(dataKey, plaintext, context);
  return [VERSION, scheme, wrappedKey, iv, body].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
}

export function openWith(dataKey: Buffer, parts: Parts, context: string): string {
  return gcmDecrypt(dataKey, parts.iv, parts.body, context).toString('utf8');
}

export function parseSealed(sealed: string, scheme: Scheme): Parts {
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
