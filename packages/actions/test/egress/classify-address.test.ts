import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classifyAddress } from '../../src/egress/policy.ts';

const TABLE: ReadonlyArray<readonly [ip: string, expected: string, rule: string]> = [
  // IPv4
  ['127.0.0.1', 'loopback', '127/8 is loopback'],
  ['127.255.255.254', 'loopback', '127/8 is loopback to its last address'],
  ['0.0.0.0', 'unspecified', '0.0.0.0/8 reaches the local host'],
  ['0.1.2.3', 'unspecified', '0.0.0.0/8 reaches the local host'],
  ['10.0.0.1', 'private', '10/8 is private (RFC 1918)'],
  ['172.16.0.1', 'private', '172.16/12 is private (RFC 1918)'],
  ['172.31.255.255', 'private', '172.16/12 is private to its last address'],
  ['172.32.0.1', 'public', '172.32.0.1 is just outside 172.16/12'],
  ['192.168.1.1', 'private', '192.168/16 is private (RFC 1918)'],
  ['100.64.0.1', 'carrier-grade-nat', '100.64/10 is carrier-grade NAT'],
  ['100.127.255.255', 'carrier-grade-nat', '100.64/10 to its last address'],
  ['169.254.169.254', 'link-local', 'the cloud metadata address is link-local'],
  ['169.254.0.1', 'link-local', '169.254/16 is link-local'],
  ['224.0.0.1', 'multicast', '224/4 is multicast'],
  ['239.255.255.250', 'multicast', '224/4 is multicast (SSDP)'],
  ['255.255.255.255', 'broadcast', 'the limited broadcast address'],
  ['198.18.0.1', 'benchmarking', '198.18/15 is benchmarking'],
  ['198.19.255.255', 'benchmarking', '198.18/15 to its last address'],
  ['240.0.0.1', 'reserved', '240/4 is reserved'],
  ['192.0.0.170', 'reserved', '192.0.0/24 protocol assignments are reserved'],
  ['192.0.2.1', 'documentation', 'TEST-NET-1 is documentation'],
  ['8.8.8.8', 'public', 'a public IPv4 address'],
  ['1.1.1.1', 'public', 'a public IPv4 address'],
  // Legacy IPv4 spellings name the same address
  ['0x7f000001', 'loopback', 'hex IPv4 is the same loopback'],
  ['2130706433', 'loopback', 'a 32-bit integer IPv4 is the same loopback'],
  ['0177.0.0.1', 'loopback', 'octal IPv4 is the same loopback'],
  // IPv6
  ['::1', 'loopback', '::1 is loopback'],
  ['[::1]', 'loopback', 'bracketed IPv6 is accepted'],
  ['::', 'unspecified', ':: reaches the local host'],
  ['fe80::1', 'link-local', 'fe80::/10 is link-local'],
  ['febf:ffff::1', 'link-local', 'fe80::/10 to its last block'],
  ['fc00::1', 'private', 'fc00::/7 is unique-local'],
  ['fd00:ec2::254', 'private', 'the AWS IPv6 metadata address is unique-local'],
  ['fec0::1', 'private', 'deprecated site-local is private'],
  ['ff02::1', 'multicast', 'ff00::/8 is multicast'],
  ['2001:db8::1', 'documentation', '2001:db8::/32 is documentation'],
  ['2001:2::1', 'reserved', '2001:2::/48 benchmarking is reserved'],
  ['100::1', 'reserved', '100::/64 is discard-only'],
  ['3fff::1', 'public', '2000::/3 is global unicast'],
  ['2606:4700:4700::1111', 'public', 'a public IPv6 address'],
  ['4000::1', 'reserved', 'outside 2000::/3 is unallocated'],
  // IPv6 forms that carry an IPv4 address are judged by it
  ['::ffff:127.0.0.1', 'loopback', 'IPv4-mapped loopback'],
  ['::ffff:7f00:1', 'loopback', 'IPv4-mapped loopback in hex'],
  ['[::ffff:7f00:1]', 'loopback', 'bracketed IPv4-mapped loopback'],
  ['::ffff:10.0.0.1', 'private', 'IPv4-mapped private'],
  ['::ffff:169.254.169.254', 'link-local', 'IPv4-mapped metadata address'],
  ['::ffff:0.0.0.0', 'unspecified', 'IPv4-mapped unspecified'],
  ['::ffff:8.8.8.8', 'public', 'IPv4-mapped public stays public'],
  ['::127.0.0.1', 'loopback', 'IPv4-compatible loopback'],
  ['::a9fe:a9fe', 'link-local', 'IPv4-compatible metadata address in hex'],
  ['::ffff:0:a00:1', 'private', 'IPv4-translated (RFC 6145) private'],
  ['64:ff9b::a00:1', 'private', 'NAT64 embedding 10.0.0.1'],
  ['64:ff9b::127.0.0.1', 'loopback', 'NAT64 embedding loopback'],
  ['64:ff9b::808:808', 'public', 'NAT64 embedding a public address'],
  ['64:ff9b:1::1', 'private', 'local-use NAT64 (RFC 8215)'],
  ['2002:7f00:1::1', 'loopback', '6to4 embedding loopback'],
  ['2002:c0a8:101::1', 'private', '6to4 embedding 192.168.1.1'],
  ['2002:808:808::1', 'public', '6to4 embedding a public address'],
  ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'reserved', 'Teredo tunnels are refused'],
  // Not an address at all
  ['localhost', 'invalid', 'a hostname is not an address'],
  ['', 'invalid', 'the empty string is not an address'],
  ['1.2.3.4.5', 'invalid', 'five octets are not an address'],
];

for (const [ip, expected, rule] of TABLE) {
  test(`classifyAddress: ${rule} (${ip || '""'} → ${expected})`, () => {
    assert.equal(classifyAddress(ip), expected);
  });
}
