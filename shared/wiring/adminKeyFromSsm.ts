/**
 * The bootstrap admin key from its SSM SecureString, as deployed stages keep it. The SSM
 * client is imported statically on purpose: esbuild tree-shakes it to GetParameter
 * (~76 KB), while behind a dynamic import() the package's barrel index pulls the whole
 * client (~170 KB) into the bundle, and V8 still parses lazily loaded code: measured, the
 * lazy variant imported slower than this one, and Powertools' getParameter slower still.
 */
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { registerSecret } from '../observability/redact';

/** A rotated key takes effect within this long (what the Powertools cache gave before). */
export const ADMIN_KEY_MAX_AGE_MS = 60_000;

export interface SsmAdminKeyOptions {
  parameter: string;
  region: string;
  now?: () => number;
  /** Reads the decrypted parameter; tests replace SSM with this. */
  read?: (parameter: string) => Promise<string | undefined>;
}

export function ssmAdminKey(opts: SsmAdminKeyOptions): () => Promise<string> {
  const now = opts.now ?? Date.now;
  let client: SSMClient | undefined;
  let cached: { value: Promise<string>; until: number } | undefined;

  async function readFromSsm(parameter: string): Promise<string | undefined> {
    client ??= new SSMClient({ region: opts.region, maxAttempts: 3 });
    const out = await client.send(new GetParameterCommand({ Name: parameter, WithDecryption: true }));
    return out.Parameter?.Value;
  }

  async function fetchKey(): Promise<string> {
    const value = await (opts.read ?? readFromSsm)(opts.parameter);
    if (typeof value !== 'string' || value.length < 16) throw new Error('admin key parameter is missing or too short');
    registerSecret(value);
    return value;
  }

  return function adminKeyFromSsm() {
    const at = now();
    if (!cached || cached.until <= at) {
      const value = fetchKey();
      const entry = { value, until: at + ADMIN_KEY_MAX_AGE_MS };
      cached = entry;
      // A failed read is not kept: the next request asks SSM again.
      value.catch(() => {
        if (cached === entry) cached = undefined;
      });
    }
    return cached.value;
  };
}
