/** The SSM-held admin key: cached for a minute, refetched after, failures never cached, redacted once seen. */
import { describe, expect, it } from 'vitest';
import { redactString } from '../../shared/observability/redact';
import { ADMIN_KEY_MAX_AGE_MS, ssmAdminKey } from '../../shared/wiring/adminKeyFromSsm';

function fakeSsm(values: (string | Error | undefined)[]) {
  const calls: string[] = [];
  return {
    calls,
    read: async (parameter: string) => {
      calls.push(parameter);
      const next = values.shift();
      if (next instanceof Error) throw next;
      return next;
    },
  };
}

describe('admin key from SSM', () => {
  it('reads the parameter once per max age and redacts the value from logs', async () => {
    let t = 1_000;
    const ssm = fakeSsm(['first-admin-key-0123456789', 'second-admin-key-0123456789']);
    const key = ssmAdminKey({ parameter: '/svc/admin', region: 'us-east-1', now: () => t, read: ssm.read });
    expect(await key()).toBe('first-admin-key-0123456789');
    t += ADMIN_KEY_MAX_AGE_MS - 1;
    expect(await key()).toBe('first-admin-key-0123456789');
    expect(ssm.calls).toEqual(['/svc/admin']);
    t += 1;
    expect(await key()).toBe('second-admin-key-0123456789');
    expect(ssm.calls).toHaveLength(2);
    expect(redactString('x first-admin-key-0123456789 y')).not.toContain('first-admin-key');
  });

  it('shares one read between concurrent callers', async () => {
    const ssm = fakeSsm(['shared-admin-key-0123456789']);
    const key = ssmAdminKey({ parameter: '/p', region: 'us-east-1', read: ssm.read });
    await Promise.all([key(), key(), key()]);
    expect(ssm.calls).toHaveLength(1);
  });

  it('does not keep a failed, missing or too-short value', async () => {
    const ssm = fakeSsm([new Error('throttled'), undefined, 'short', 'good-admin-key-0123456789']);
    const key = ssmAdminKey({ parameter: '/p', region: 'us-east-1', read: ssm.read });
    await expect(key()).rejects.toThrow('throttled');
    await expect(key()).rejects.toThrow('missing or too short');
    await expect(key()).rejects.toThrow('missing or too short');
    expect(await key()).toBe('good-admin-key-0123456789');
  });
});
