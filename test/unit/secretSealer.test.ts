import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { DecryptCommand, GenerateDataKeyCommand, IncorrectKeyException, InvalidCiphertextException } from '@aws-sdk/client-kms';
import type { DecryptCommandOutput, GenerateDataKeyCommandOutput, KMSClient } from '@aws-sdk/client-kms';
import { SealError, generateMasterKey, localKeySealer } from '../../shared/adapters/crypto/secretSealer';
import { kmsSealer } from '../../shared/adapters/crypto/kmsSealer';
import type { SecretSealer } from '../../shared/adapters/crypto/secretSealer';
import type { KmsPort } from '../../shared/adapters/crypto/kmsSealer';

const CONTEXT = 'rule:inst-1:rule-1:secret';
const SECRET = 'SEC0123456789abcdef-dingtalk-secret';
const KEY_ID = 'arn:aws:kms:eu-west-1:111122223333:key/test';
const B64URL_CHARS = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_', '.', '=', '+', '/', ' '];

/**
 * The one mock in this suite: there is no local KMS to run against. It wraps data keys with real
 * AES-GCM under its own key and binds the EncryptionContext as AAD, so a context or key-id mismatch
 * fails inside "KMS" exactly as the real service would.
 */
class FakeKms implements KmsPort {
  readonly calls = { generateDataKey: 0, decrypt: 0 };
  readonly contexts: Record<string, string>[] = [];
  private readonly key = randomBytes(32);

  send(command: GenerateDataKeyCommand): Promise<GenerateDataKeyCommandOutput>;
  send(command: DecryptCommand): Promise<DecryptCommandOutput>;
  async send(command: GenerateDataKeyCommand | DecryptCommand): Promise<GenerateDataKeyCommandOutput | DecryptCommandOutput> {
    const ctx = command.input.EncryptionContext ?? {};
    this.contexts.push(ctx);
    const aad = Buffer.from(JSON.stringify(Object.entries(ctx).sort()));
    if (command instanceof GenerateDataKeyCommand) {
      this.calls.generateDataKey++;
      expect(command.input).toMatchObject({ KeyId: KEY_ID, KeySpec: 'AES_256' });
      const dataKey = randomBytes(32);
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', this.key, iv).setAAD(aad);
      const blob = Buffer.concat([iv, cipher.update(dataKey), cipher.final(), cipher.getAuthTag()]);
      return { $metadata: {}, KeyId: KEY_ID, Plaintext: dataKey, CiphertextBlob: blob };
    }
    if (command instanceof DecryptCommand) {
      this.calls.decrypt++;
      if (command.input.KeyId !== KEY_ID) throw new IncorrectKeyException({ message: 'wrong key', $metadata: {} });
      const blob = Buffer.from(command.input.CiphertextBlob ?? new Uint8Array());
      try {
        const decipher = createDecipheriv('aes-256-gcm', this.key, blob.subarray(0, 12)).setAAD(aad);
        decipher.setAuthTag(blob.subarray(blob.length - 16));
        const plaintext = Buffer.concat([decipher.update(blob.subarray(12, blob.length - 16)), decipher.final()]);
        return { $metadata: {}, KeyId: KEY_ID, Plaintext: plaintext };
      } catch {
        throw new InvalidCiphertextException({ message: 'invalid ciphertext', $metadata: {} });
      }
    }
    throw new Error('FakeKms: unsupported command');
  }
}

function tamper(sealed: string, pos: number, ch: string): string {
  return sealed.slice(0, pos) + ch + sealed.slice(pos + 1);
}

/** Properties both sealers must share, whatever wraps the data key. */
function commonBehaviour(name: string, make: () => SecretSealer): void {
  describe(`${name} (common)`, () => {
    it('round trips and never repeats a sealed value', async () => {
      const sealer = make();
      const a = await sealer.seal(SECRET, CONTEXT);
      const b = await sealer.seal(SECRET, CONTEXT);
      expect(a).not.toBe(b);
      expect(a).toMatch(new RegExp(`^v1\\.${name}\\.[\\w-]+\\.[\\w-]{16}\\.[\\w-]+$`));
      expect(await sealer.open(a, CONTEXT)).toBe(SECRET);
      expect(await sealer.open(b, CONTEXT)).toBe(SECRET);
    });

    it('does not reveal the plaintext or its base64', async () => {
      const sealed = await make().seal(SECRET, CONTEXT);
      for (const form of [SECRET, Buffer.from(SECRET).toString('base64'), Buffer.from(SECRET).toString('base64url')]) {
        expect(sealed).not.toContain(form.slice(0, 12));
      }
    });

    it('rejects the wrong context with SealError', async () => {
      const sealer = make();
      const sealed = await sealer.seal(SECRET, CONTEXT);
      await expect(sealer.open(sealed, 'rule:inst-1:rule-2:secret')).rejects.toBeInstanceOf(SealError);
      await expect(sealer.seal(SECRET, '')).rejects.toBeInstanceOf(SealError);
    });

    it('rejects every single-character tamper without leaking the plaintext', async () => {
      const sealer = make();
      const sealed = await sealer.seal(SECRET, CONTEXT);
      await fc.assert(
        fc.asyncProperty(fc.nat({ max: sealed.length - 1 }), fc.constantFrom(...B64URL_CHARS), async (pos, ch) => {
          fc.pre(sealed[pos] !== ch);
          const err: unknown = await sealer.open(tamper(sealed, pos, ch), CONTEXT).then(
            (opened) => new Error(`tamper at ${pos} opened to ${opened === SECRET ? 'the original' : 'something else'}`),
            (e: unknown) => e,
          );
          expect(err).toBeInstanceOf(SealError);
          expect(String(err)).not.toContain(SECRET);
        }),
        { seed: 42, numRuns: 200 },
      );
    });

    it('rejects edits to the trailing bits of each segment (where lenient base64 decoding would not notice)', async () => {
      const sealer = make();
      // 34-byte plaintext: the body is then not a multiple of 3 bytes, so its last character carries spare bits.
      const sealed = await sealer.seal(SECRET.slice(1), CONTEXT);
      const segmentEnds = [...sealed.matchAll(/[^.](?=\.|$)/g)].map((m) => m.index);
      for (const pos of segmentEnds.slice(1)) {
        for (const ch of B64URL_CHARS.slice(0, 64).filter((c) => c !== sealed[pos])) {
          await expect(sealer.open(tamper(sealed, pos, ch), CONTEXT)).rejects.toBeInstanceOf(SealError);
        }
      }
    });

    it('rejects malformed input', async () => {
      const sealer = make();
      const sealed = await sealer.seal(SECRET, CONTEXT);
      for (const bad of ['', 'v1', sealed + '.', sealed.replace(/^v1/, 'v2'), `${sealed.slice(0, -1)}=`, sealed.split('.').slice(0, 4).join('.')]) {
        await expect(sealer.open(bad, CONTEXT)).rejects.toBeInstanceOf(SealError);
      }
    });

    it('round trips unicode and empty plaintexts; rejects lone surrogates', async () => {
      const sealer = make();
      for (const text of ['', 'jiāmì 加密 🔐 Ünïcödé', 'https://oapi.dingtalk.com/robot/send?access_token=abc']) {
        expect(await sealer.open(await sealer.seal(text, CONTEXT), CONTEXT)).toBe(text);
      }
      await fc.assert(
        fc.asyncProperty(fc.string({ unit: 'binary' }), async (text) => {
          expect(await sealer.open(await sealer.seal(text, CONTEXT), CONTEXT)).toBe(text);
        }),
        { seed: 42, numRuns: 50 },
      );
      await expect(sealer.seal('bad \ud800 surrogate', CONTEXT)).rejects.toBeInstanceOf(SealError);
    });
  });
}

commonBehaviour('local', () => localKeySealer(Buffer.from(generateMasterKey(), 'base64')));
commonBehaviour('kms', () => kmsSealer({ keyId: KEY_ID, client: new FakeKms() }));

describe('localKeySealer', () => {
  it('fails under a different master key', async () => {
    const sealed = await localKeySealer(randomBytes(32)).seal(SECRET, CONTEXT);
    await expect(localKeySealer(randomBytes(32)).open(sealed, CONTEXT)).rejects.toThrow(SealError);
  });

  it('requires a 32-byte master key', () => {
    for (const n of [0, 16, 31, 33, 64]) expect(() => localKeySealer(Buffer.alloc(n))).toThrow(SealError);
  });

  it('generates distinct 32-byte master keys', () => {
    const a = generateMasterKey();
    expect(Buffer.from(a, 'base64')).toHaveLength(32);
    expect(generateMasterKey()).not.toBe(a);
  });

  it('refuses a kms-sealed value', async () => {
    const sealed = await kmsSealer({ keyId: KEY_ID, client: new FakeKms() }).seal(SECRET, CONTEXT);
    await expect(localKeySealer(randomBytes(32)).open(sealed, CONTEXT)).rejects.toThrow('malformed');
  });
});

describe('kmsSealer', () => {
  it('accepts a real KMSClient', () => {
    expectTypeOf<KMSClient>().toExtend<KmsPort>();
  });

  it('binds the context as EncryptionContext and calls GenerateDataKey once per seal', async () => {
    const kms = new FakeKms();
    const sealer = kmsSealer({ keyId: KEY_ID, client: kms });
    await sealer.seal(SECRET, CONTEXT);
    await sealer.seal(SECRET, CONTEXT);
    expect(kms.calls).toEqual({ generateDataKey: 2, decrypt: 0 });
    expect(kms.contexts).toEqual([{ purpose: CONTEXT }, { purpose: CONTEXT }]);
  });

  it('context mismatch is rejected by KMS itself, even after the value was cached', async () => {
    const kms = new FakeKms();
    const sealer = kmsSealer({ keyId: KEY_ID, client: kms });
    const sealed = await sealer.seal(SECRET, CONTEXT);
    await sealer.open(sealed, CONTEXT);
    await expect(sealer.open(sealed, 'rule:inst-1:rule-2:secret')).rejects.toThrow('KMS rejected');
    expect(kms.calls.decrypt).toBe(2);
  });

  it('rejects a wrapped key that belongs to another KMS key id', async () => {
    const kms = new FakeKms();
    const sealed = await kmsSealer({ keyId: KEY_ID, client: kms }).seal(SECRET, CONTEXT);
    await expect(kmsSealer({ keyId: 'alias/other', client: kms }).open(sealed, CONTEXT)).rejects.toBeInstanceOf(SealError);
  });

  it('serves repeat opens from the cache until the TTL expires', async () => {
    let clock = 1_000;
    const kms = new FakeKms();
    const sealer = kmsSealer({ keyId: KEY_ID, client: kms, now: () => clock });
    const sealed = await sealer.seal(SECRET, CONTEXT);
    expect(await sealer.open(sealed, CONTEXT)).toBe(SECRET);
    clock += 5 * 60_000 - 1;
    expect(await sealer.open(sealed, CONTEXT)).toBe(SECRET);
    expect(kms.calls.decrypt).toBe(1);
    clock += 1;
    expect(await sealer.open(sealed, CONTEXT)).toBe(SECRET);
    expect(kms.calls.decrypt).toBe(2);
  });

  it('evicts the least recently used data key when full', async () => {
    const kms = new FakeKms();
    const sealer = kmsSealer({ keyId: KEY_ID, client: kms, cacheSize: 2 });
    const [a, b, c] = await Promise.all(['a', 'b', 'c'].map((s) => sealer.seal(s, CONTEXT)));
    for (const sealed of [a, b, a, c, a, b]) await sealer.open(sealed ?? '', CONTEXT);
    // a, b miss; a hits; c misses and evicts b; a hits; b misses.
    expect(kms.calls.decrypt).toBe(4);
  });

  it('passes non-rejection KMS errors through untouched so callers can retry', async () => {
    const throttled = new Error('Rate exceeded');
    throttled.name = 'ThrottlingException';
    const kms = new FakeKms();
    const sealed = await kmsSealer({ keyId: KEY_ID, client: kms }).seal(SECRET, CONTEXT);
    const failing: KmsPort = { send: () => Promise.reject(throttled) };
    await expect(kmsSealer({ keyId: KEY_ID, client: failing }).open(sealed, CONTEXT)).rejects.toBe(throttled);
  });
});
