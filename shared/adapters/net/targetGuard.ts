/**
 * Registration-time SSRF check for webhook targets: literal IPs and localhost names are judged
 * directly, other names by what they resolve to right now. This is advisory — DNS can change (or be
 * rebound) before delivery — so the HTTP sender must re-check the address it actually connects to
 * with `connectTimeAddressAllowed`.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import { classifyAddress, isLocalhostName, literalAddressOf } from '../../domain/targetPolicy';
import type { AddressVerdict } from '../../domain/targetPolicy';

export type ResolveHost = (host: string) => Promise<string[]>;

export interface TargetGuardOptions {
  allowPrivate: boolean;
  /** Defaults to the OS resolver (getaddrinfo), the same one the HTTP client will use. */
  lookup?: ResolveHost;
  /** Upper bound on the lookup; a slower answer counts as "does not resolve". */
  timeoutMs?: number;
}

export const DEFAULT_LOOKUP_TIMEOUT_MS = 2_000;

const ALLOWED: AddressVerdict = { allowed: true };

async function systemLookup(host: string): Promise<string[]> {
  const answers = await dnsLookup(host, { all: true, verbatim: true });
  return answers.map((answer) => answer.address);
}

const TIMED_OUT = Symbol('timedOut');

/**
 * Resolves to the addresses, or undefined when the name does not resolve in time or at all.
 * Unresolvable names are accepted on purpose: a target may be registered before its DNS exists,
 * and delivery re-checks at connect time anyway.
 */
async function resolveWithin(resolve: ResolveHost, host: string, timeoutMs: number): Promise<string[] | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<typeof TIMED_OUT>((done) => {
    timer = setTimeout(() => done(TIMED_OUT), timeoutMs);
    // A hung resolver must not keep a Lambda or test process alive.
    timer.unref();
  });
  try {
    const result = await Promise.race([resolve(host), timeout]);
    return result === TIMED_OUT ? undefined : result;
  } catch {
    // ENOTFOUND, EAI_AGAIN, ENODATA, ...: all mean "not resolvable now", which is accepted.
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}

export async function checkTargetHost(url: URL, opts: TargetGuardOptions): Promise<AddressVerdict> {
  if (opts.allowPrivate) return ALLOWED;
  const { hostname } = url;
  // Only non-special schemes can have an empty host; there is nothing to deliver to.
  if (hostname === '') return { allowed: false, reason: 'invalid' };

  const literal = literalAddressOf(hostname);
  if (literal !== undefined) return classifyAddress(literal);
  if (isLocalhostName(hostname)) return { allowed: false, reason: 'loopback' };

  const addresses = await resolveWithin(opts.lookup ?? systemLookup, hostname, opts.timeoutMs ?? DEFAULT_LOOKUP_TIMEOUT_MS);
  if (addresses === undefined) return ALLOWED;
  // One bad answer is enough: the client may pick any of them (and DNS rebinding rotates them).
  for (const address of addresses) {
    const verdict = classifyAddress(address);
    if (!verdict.allowed) return verdict;
  }
  return ALLOWED;
}

/** For the HTTP sender's connect-time lookup hook: is this resolved peer address acceptable? */
export function connectTimeAddressAllowed(address: string, allowPrivate: boolean): boolean {
  return allowPrivate || classifyAddress(address).allowed;
}
