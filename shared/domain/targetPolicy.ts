/**
 * Which webhook target hosts may be contacted when private targets are not allowed (SSRF guard).
 *
 * Policy: an address is allowed only when ipaddr.js classifies it as `'unicast'`; every named
 * special range (loopback, private, link-local, CGNAT, multicast, reserved, documentation,
 * benchmarking, IPv4-mapped/translated/6to4/Teredo, ...) is refused under its ipaddr range name.
 * Pure: no DNS here — resolution lives in `adapters/net/targetGuard`.
 */
import ipaddr from 'ipaddr.js';

export type AddressVerdict = { allowed: true } | { allowed: false; reason: string };

/**
 * IPv4-compatible IPv6 (::a.b.c.d, RFC 4291 §2.5.5.1, deprecated). ipaddr.js reports e.g. `::7f00:1`
 * as 'unicast', yet `::127.0.0.1` is the same 128 bits and still means "an IPv4 host" to stacks that
 * honour the old tunnelling semantics. No real target lives in ::/96 (it also holds :: and ::1), so
 * refusing the whole block closes the gap without hand-written CIDR maths.
 */
const IPV4_COMPATIBLE = ipaddr.parseCIDR('::/96');

export function classifyAddress(ip: string): AddressVerdict {
  // The IPv4-compatible spelling (`::1.2.3.4`) is rewritten by ipaddr.parse into the IPv4-mapped
  // address ::ffff:1.2.3.4, so it is refused as 'ipv4Mapped'; the hex spelling is caught below.
  if (!ipaddr.isValid(ip)) return { allowed: false, reason: 'invalid' };
  const addr = ipaddr.parse(ip);
  const range = addr.range();
  if (range !== 'unicast') return { allowed: false, reason: range };
  if (addr.kind() === 'ipv6' && addr.match(IPV4_COMPATIBLE)) return { allowed: false, reason: 'ipv4Compatible' };
  return { allowed: true };
}

/**
 * The IP literal in a URL `hostname`, or undefined when the host is a name.
 *
 * For http(s) URLs the WHATWG parser has already turned `2130706433`, `0x7f000001`, `0177.0.0.1`,
 * `127.1` etc. into a dotted quad. Non-special schemes keep the host opaque, so the same numeric
 * forms are also recognised here (ipaddr parses them like inet_aton, which is what getaddrinfo
 * would do with them); the result is normalised to ipaddr's canonical string.
 */
export function literalAddressOf(hostname: string): string | undefined {
  // URL grammar only allows IPv6 (or IPvFuture) inside brackets; validity is classifyAddress's job,
  // so malformed contents come back as-is and are refused there as 'invalid'.
  if (hostname.startsWith('[') && hostname.endsWith(']')) return hostname.slice(1, -1);
  const bare = hostname.endsWith('.') ? hostname.slice(0, -1) : hostname;
  if (bare === '' || !ipaddr.isValid(bare)) return undefined;
  return ipaddr.parse(bare).toString();
}

/** `localhost` and any `*.localhost` name (RFC 6761 reserves the whole tree for loopback). */
export function isLocalhostName(hostname: string): boolean {
  const lower = hostname.toLowerCase();
  const name = lower.endsWith('.') ? lower.slice(0, -1) : lower;
  return name === 'localhost' || name.endsWith('.localhost');
}
