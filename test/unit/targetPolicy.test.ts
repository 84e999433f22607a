import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import ipaddr from 'ipaddr.js';
import { describe, expect, it, vi } from 'vitest';
import { checkTargetHost, connectTimeAddressAllowed } from '../../shared/adapters/net/targetGuard';
import type { ResolveHost } from '../../shared/adapters/net/targetGuard';
import { classifyAddress, isLocalhostName, literalAddressOf } from '../../shared/domain/targetPolicy';

const PROPS = { seed: 42, numRuns: 500 };

/** Literals and localhost names must be judged without DNS; a call here fails the test. */
const noLookup: ResolveHost = () => Promise.reject(new Error('lookup must not be called'));

const verdictOf = (target: string) => checkTargetHost(new URL(target), { allowPrivate: false, lookup: noLookup });
const viaUrl = (host: string) => {
  const literal = literalAddressOf(new URL(`http://${host}/hook`).hostname);
  return literal === undefined ? undefined : classifyAddress(literal);
};

const octet = fc.integer({ min: 0, max: 255 });
const octets = fc.tuple(octet, octet, octet, octet);
const dotted = (o: readonly number[]) => o.join('.');
const toUint32 = ([a, b, c, d]: readonly [number, number, number, number]) => ((a << 24) >>> 0) + (b << 16) + (c << 8) + d;

describe('target host policy: odd spellings are refused', () => {
  it.each([
    ['2130706433', 'loopback'],
    ['0x7f000001', 'loopback'],
    ['0X7F.1', 'loopback'],
    ['127.1', 'loopback'],
    ['017700000001', 'loopback'],
    ['0177.0.0.1', 'loopback'],
    ['127.0.0.1.', 'loopback'],
    ['%31%32%37.0.0.1', 'loopback'],
    ['[::ffff:127.0.0.1]', 'ipv4Mapped'],
    ['[::ffff:7f00:1]', 'ipv4Mapped'],
    ['[0:0:0:0:0:ffff:127.0.0.1]', 'ipv4Mapped'],
    ['[::127.0.0.1]', 'ipv4Compatible'],
    ['[::ffff:0:127.0.0.1]', 'rfc6145'],
    ['[64:ff9b::127.0.0.1]', 'rfc6052'],
    ['[64:ff9b:1::1]', 'rfc6052'],
    ['[2002:7f00:1::1]', '6to4'],
    ['[2001::1]', 'teredo'],
    ['[::]', 'unspecified'],
    ['[::1]', 'loopback'],
    ['0', 'unspecified'],
    ['0.0.0.0', 'unspecified'],
    ['localhost', 'loopback'],
    ['LOCALHOST.', 'loopback'],
    ['foo.localhost', 'loopback'],
    ['Api.Foo.LocalHost', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'linkLocal'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['240.0.0.1', 'reserved'],
    ['192.0.2.10', 'reserved'],
    ['198.18.0.1', 'reserved'],
    ['[fd12:3456::1]', 'uniqueLocal'],
    ['[fe80::1]', 'linkLocal'],
    ['[ff02::1]', 'multicast'],
    ['[2001:db8::1]', 'reserved'],
    ['[2001:2::1]', 'benchmarking'],
  ])('http://%s → refused (%s)', async (host, reason) => {
    await expect(verdictOf(`http://${host}:8080/hook`)).resolves.toEqual({ allowed: false, reason });
    await expect(verdictOf(`https://${host}/hook`)).resolves.toEqual({ allowed: false, reason });
  });

  it('catches inet_aton spellings that a non-special scheme leaves opaque', async () => {
    expect(new URL('foo://0x7f000001/').hostname).toBe('0x7f000001');
    expect(literalAddressOf('0x7f000001')).toBe('127.0.0.1');
    await expect(verdictOf('foo://0x7f000001/')).resolves.toEqual({ allowed: false, reason: 'loopback' });
    await expect(verdictOf('foo://127.1./')).resolves.toEqual({ allowed: false, reason: 'loopback' });
    await expect(verdictOf('foo:///no-host')).resolves.toEqual({ allowed: false, reason: 'invalid' });
  });
});

describe('target host policy: public addresses are allowed', () => {
  it.each(['93.184.216.34', '8.8.8.8', '[2606:4700:4700::1111]', '134744072', '0x08080808', '010.010.010.010', '8.526344'])(
    'http://%s → allowed',
    async (host) => {
      await expect(verdictOf(`http://${host}/hook`)).resolves.toEqual({ allowed: true });
    },
  );
});

describe('classifyAddress / literalAddressOf / isLocalhostName', () => {
  it('refuses what is not an IP address', () => {
    for (const bad of ['', 'example.com', '256.1.1.1', '::g', '1.2.3.4.5', '[::1]']) {
      expect(classifyAddress(bad)).toEqual({ allowed: false, reason: 'invalid' });
    }
  });

  it('treats names as names', () => {
    expect(literalAddressOf('example.com')).toBeUndefined();
    expect(literalAddressOf('hooks.example.com.')).toBeUndefined();
    expect(literalAddressOf('[2606:4700:4700::1111]')).toBe('2606:4700:4700::1111');
    expect(isLocalhostName('localhost.example.com')).toBe(false);
    expect(isLocalhostName('notlocalhost')).toBe(false);
    expect(isLocalhostName('a.b.LOCALHOST.')).toBe(true);
  });

  it('stays free of DNS and cloud dependencies', () => {
    const source = readFileSync(new URL('../../shared/domain/targetPolicy.ts', import.meta.url), 'utf8');
    expect(source).not.toMatch(/from '(node:dns|@aws-sdk|aws-lambda|@middy)/);
  });
});

describe('target host policy: properties', () => {
  it('(a) IPv4 verdict matches ipaddr range() === "unicast"', () => {
    fc.assert(
      fc.property(octets, (o) => {
        const ip = dotted(o);
        expect(classifyAddress(ip).allowed).toBe(ipaddr.parse(ip).range() === 'unicast');
      }),
      PROPS,
    );
  });

  it('(b) IPv6 verdict matches ipaddr range() === "unicast" (minus IPv4-compatible ::/96)', () => {
    const ipv4Compatible = ipaddr.parseCIDR('::/96');
    // Bias towards special prefixes and zero runs, which uniform groups would almost never hit.
    const first = fc.oneof(fc.constantFrom(0, 0x64, 0x100, 0x2001, 0x2002, 0xfc00, 0xfe80, 0xff02), fc.integer({ min: 0, max: 0xffff }));
    const group = fc.oneof(fc.constantFrom(0, 0xffff), fc.integer({ min: 0, max: 0xffff }));
    fc.assert(
      fc.property(first, fc.array(group, { minLength: 7, maxLength: 7 }), (head, tail) => {
        const ip = [head, ...tail].map((g) => g.toString(16)).join(':');
        const addr = ipaddr.parse(ip);
        const expected = addr.range() === 'unicast' && !addr.match(ipv4Compatible);
        expect(classifyAddress(ip).allowed).toBe(expected);
        expect(viaUrl(`[${ip}]`)?.allowed).toBe(expected);
      }),
      PROPS,
    );
  });

  it('(c) decimal, hex and dotted-octal spellings get the dotted-quad verdict', () => {
    fc.assert(
      fc.property(octets, (o) => {
        const quad = dotted(o);
        const n = toUint32(o);
        const expected = classifyAddress(quad);
        for (const spelling of [String(n), `0x${n.toString(16)}`, o.map((x) => `0${x.toString(8)}`).join('.')]) {
          expect(literalAddressOf(new URL(`http://${spelling}/`).hostname)).toBe(quad);
          expect(viaUrl(spelling)).toEqual(expected);
        }
      }),
      PROPS,
    );
  });

  it('(d) IPv4-mapped and IPv4-compatible IPv6 of any IPv4 is refused', () => {
    fc.assert(
      fc.property(octets, (o) => {
        expect(viaUrl(`[::ffff:${dotted(o)}]`)).toEqual({ allowed: false, reason: 'ipv4Mapped' });
        expect(viaUrl(`[::${dotted(o)}]`)?.allowed).toBe(false);
      }),
      PROPS,
    );
  });
});

describe('checkTargetHost with a lookup', () => {
  const check = (lookup: ResolveHost, allowPrivate = false) =>
    checkTargetHost(new URL('https://hooks.example.com/x'), { allowPrivate, lookup, timeoutMs: 50 });

  it('refuses a name resolving to a private address', async () => {
    const lookup = vi.fn<ResolveHost>().mockResolvedValue(['10.0.0.5']);
    await expect(check(lookup)).resolves.toEqual({ allowed: false, reason: 'private' });
    expect(lookup).toHaveBeenCalledWith('hooks.example.com');
  });

  it('refuses a name resolving to public and private addresses', async () => {
    await expect(check(async () => ['93.184.216.34', '2606:4700:4700::1111', 'fe80::1'])).resolves.toEqual({ allowed: false, reason: 'linkLocal' });
    await expect(check(async () => ['::ffff:127.0.0.1', '8.8.8.8'])).resolves.toEqual({ allowed: false, reason: 'ipv4Mapped' });
  });

  it('allows a name resolving only to public addresses', async () => {
    await expect(check(async () => ['93.184.216.34', '2606:4700:4700::1111'])).resolves.toEqual({ allowed: true });
  });

  it('allows a name that does not resolve (ENOTFOUND, or a throwing lookup)', async () => {
    const notFound = Object.assign(new Error('getaddrinfo ENOTFOUND hooks.example.com'), { code: 'ENOTFOUND' });
    await expect(check(() => Promise.reject(notFound))).resolves.toEqual({ allowed: true });
    await expect(check(() => { throw new Error('sync failure'); })).resolves.toEqual({ allowed: true });
  });

  it('allows a name whose lookup hangs, once the timeout passes', async () => {
    const started = Date.now();
    await expect(check(() => new Promise<string[]>(() => undefined))).resolves.toEqual({ allowed: true });
    expect(Date.now() - started).toBeGreaterThanOrEqual(40);
  });

  it('allows everything, without resolving, when private targets are allowed', async () => {
    const lookup = vi.fn<ResolveHost>().mockResolvedValue(['127.0.0.1']);
    await expect(check(lookup, true)).resolves.toEqual({ allowed: true });
    await expect(checkTargetHost(new URL('http://[::1]/'), { allowPrivate: true, lookup })).resolves.toEqual({ allowed: true });
    await expect(checkTargetHost(new URL('http://localhost/'), { allowPrivate: true, lookup })).resolves.toEqual({ allowed: true });
    expect(lookup).not.toHaveBeenCalled();
  });

  it('uses the system resolver by default; an unresolvable name is accepted', async () => {
    await expect(checkTargetHost(new URL('https://target.invalid/'), { allowPrivate: false, timeoutMs: 500 })).resolves.toEqual({ allowed: true });
  });

  it('connectTimeAddressAllowed applies the same policy to the peer address', () => {
    expect(connectTimeAddressAllowed('93.184.216.34', false)).toBe(true);
    expect(connectTimeAddressAllowed('2606:4700:4700::1111', false)).toBe(true);
    expect(connectTimeAddressAllowed('127.0.0.1', false)).toBe(false);
    expect(connectTimeAddressAllowed('::ffff:10.0.0.1', false)).toBe(false);
    expect(connectTimeAddressAllowed('127.0.0.1', true)).toBe(true);
  });
});
