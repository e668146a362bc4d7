import ipaddr from 'ipaddr.js';

/**
 * SSRF guard: a tenant's `fetch` may only reach addresses on the public internet. Each refused range is
 * listed with the attack it blocks; ranges are checked in order and the first match wins.
 */
const IPV4_RANGES: ReadonlyArray<readonly [cidr: string, reason: string]> = [
  ['0.0.0.0/8', 'unspecified'], // "this network": Linux connects 0.0.0.0 to the local host
  ['127.0.0.0/8', 'loopback'], // the server itself, its admin ports, its database
  ['10.0.0.0/8', 'private'], // RFC 1918: the deployment's internal network
  ['172.16.0.0/12', 'private'], // RFC 1918 (also Docker's default bridge networks)
  ['192.168.0.0/16', 'private'], // RFC 1918
  ['100.64.0.0/10', 'carrier-grade-nat'], // RFC 6598: used as an internal network by some clouds
  ['169.254.0.0/16', 'link-local'], // RFC 3927: cloud metadata and its credentials at 169.254.169.254
  ['192.0.0.0/24', 'reserved'], // RFC 6890 protocol assignments (NAT64 discovery, DS-Lite)
  ['192.0.2.0/24', 'documentation'], // RFC 5737 TEST-NET-1
  ['198.51.100.0/24', 'documentation'], // RFC 5737 TEST-NET-2
  ['203.0.113.0/24', 'documentation'], // RFC 5737 TEST-NET-3
  ['192.88.99.0/24', 'reserved'], // RFC 7526: deprecated 6to4 relay anycast
  ['198.18.0.0/15', 'benchmarking'], // RFC 2544: lab networks, sometimes routed internally
  ['224.0.0.0/4', 'multicast'],
  ['255.255.255.255/32', 'broadcast'], // before 240/4, which contains it
  ['240.0.0.0/4', 'reserved'], // RFC 1112 class E
];

const IPV6_RANGES: ReadonlyArray<readonly [cidr: string, reason: string]> = [
  ['fe80::/10', 'link-local'],
  ['fec0::/10', 'private'], // deprecated site-local (RFC 3879), still routed inside some networks
  ['fc00::/7', 'private'], // unique local (RFC 4193); AWS serves metadata at fd00:ec2::254
  ['ff00::/8', 'multicast'],
  ['64:ff9b:1::/48', 'private'], // RFC 8215 local-use NAT64: translates to operator-chosen IPv4
  ['100::/64', 'reserved'], // RFC 6666 discard-only
  ['2001:db8::/32', 'documentation'], // RFC 3849
  // RFC 2928 protocol assignments: Teredo (2001::/32) tunnels to an IPv4 address hidden in the last 32
  // bits, plus ORCHID and benchmarking (2001:2::/48). Nothing a tenant needs to call lives here.
  ['2001::/23', 'reserved'],
];

type Parsed<T> = ReadonlyArray<readonly [range: [T, number], reason: string]>;
const v4Ranges: Parsed<ipaddr.IPv4> = IPV4_RANGES.map(([cidr, reason]) => [
  ipaddr.IPv4.parseCIDR(cidr),
  reason,
]);
const v6Ranges: Parsed<ipaddr.IPv6> = IPV6_RANGES.map(([cidr, reason]) => [
  ipaddr.IPv6.parseCIDR(cidr),
  reason,
]);
const globalUnicast = ipaddr.IPv6.parseCIDR('2000::/3');

/**
 * IPv6 forms that carry an IPv4 address and deliver to it: `::ffff:127.0.0.1` is the loopback address to
 * a dual-stack socket, and a NAT64 or 6to4 gateway forwards to the embedded IPv4 address. Each is judged
 * by the IPv4 address it carries. Returns [prefix, bit offset of the IPv4 address].
 */
const EMBEDDED_V4: ReadonlyArray<readonly [range: [ipaddr.IPv6, number], offset: number]> = [
  [ipaddr.IPv6.parseCIDR('::ffff:0:0/96'), 96], // IPv4-mapped (RFC 4291 §2.5.5.2)
  [ipaddr.IPv6.parseCIDR('::ffff:0:0:0/96'), 96], // IPv4-translated (RFC 6145)
  [ipaddr.IPv6.parseCIDR('64:ff9b::/96'), 96], // NAT64 well-known prefix (RFC 6052)
  [ipaddr.IPv6.parseCIDR('2002::/16'), 16], // 6to4 (RFC 3056)
  [ipaddr.IPv6.parseCIDR('::/96'), 96], // IPv4-compatible, deprecated (RFC 4291 §2.5.5.1); after ::, ::1
];

/**
 * Classifies an IP address: 'public', or the reason a fetch to it is refused ('loopback', 'private',
 * 'link-local', 'unspecified', 'multicast', 'broadcast', 'carrier-grade-nat', 'benchmarking',
 * 'documentation', 'reserved', or 'invalid' when `ip` is not an IP address). IPv6 may be bracketed.
 */
export function classifyAddress(ip: string): string {
  const literal = ip.startsWith('[') && ip.endsWith(']') ? ip.slice(1, -1) : ip;
  if (!ipaddr.isValid(literal)) return 'invalid';
  const address = ipaddr.parse(literal);
  return address.kind() === 'ipv4' ? classifyV4(address as ipaddr.IPv4) : classifyV6(address as ipaddr.IPv6);
}

function classifyV4(address: ipaddr.IPv4): string {
  for (const [range, reason] of v4Ranges) if (address.match(range)) return reason;
  return 'public';
}

function classifyV6(address: ipaddr.IPv6): string {
  // `::` (like 0.0.0.0, it reaches the local host) and `::1` first: both sit inside the IPv4-compatible ::/96.
  const special = address.range();
  if (special === 'unspecified' || special === 'loopback') return special;
  for (const [range, offset] of EMBEDDED_V4) {
    if (address.match(range)) return classifyV4(embeddedV4(address, offset));
  }
  for (const [range, reason] of v6Ranges) if (address.match(range)) return reason;
  // Only 2000::/3 is allocated for global unicast; anything else is unassigned or special-purpose.
  return address.match(globalUnicast) ? 'public' : 'reserved';
}

function embeddedV4(address: ipaddr.IPv6, bitOffset: number): ipaddr.IPv4 {
  const bytes = address.toByteArray().slice(bitOffset / 8, bitOffset / 8 + 4);
  return new ipaddr.IPv4(bytes);
}
