import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { REDACTED, redactingReplacer, redactString, registerSecret } from '../../shared/observability/redact';

describe('redaction', () => {
  it('scrubs secret-named attributes and secret-looking values', () => {
    const line = JSON.stringify(
      {
        authorization: 'Bearer abc',
        secret: 'SEC0123456789abcdef',
        nested: { accessToken: 'x', list: ['https://oapi.dingtalk.com/robot/send?access_token=abcd1234&timestamp=1&sign=zz'] },
        note: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw and rek_ak-abcdefghij012345_' + 'A'.repeat(43),
        secretSet: true,
      },
      redactingReplacer,
    );
    expect(line).not.toMatch(/abcd1234|SEC0123|whsec_M|AAAAAAAA|Bearer abc|zz"/);
    expect(line).toContain('"secretSet":true');
    expect(line).toContain(`access_token=${REDACTED}`);
  });

  it('scrubs registered values wherever they appear', () => {
    registerSecret('my-admin-key-1234567890');
    expect(redactString('x my-admin-key-1234567890 y')).toBe(`x ${REDACTED} y`);
  });

  it('no API key survives inside arbitrary text', () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.stringMatching(/^[a-z0-9]{16}$/),
        fc.stringMatching(/^[A-Za-z0-9_-]{43}$/),
        fc.string(),
        (before, id, secret, after) => {
          const key = `rek_ak-${id}_${secret}`;
          expect(redactString(`${before}${key}${after}`)).not.toContain(secret);
        },
      ),
      { seed: 42, numRuns: 300 },
    );
  });

  it('no registry source token survives inside arbitrary text (SPEC §11)', () => {
    fc.assert(
      fc.property(fc.string(), fc.stringMatching(/^[a-z0-9]{16}$/), fc.stringMatching(/^[A-Za-z0-9_-]{43}$/), fc.string(), (before, id, secret, after) => {
        expect(redactString(`${before}rst_src-${id}_${secret}${after}`)).not.toContain(secret);
      }),
      { seed: 42, numRuns: 300 },
    );
  });
});
