import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { countryCode3 } from '../src/country-code3.ts';
import { type GeoIpLookup, geoIpLookup, openGeoIp } from '../src/geoip.ts';

// MaxMind's fake test databases (fixtures/README.md says where they come from and what they hold).
const FIXTURES = join(import.meta.dirname, 'fixtures');
const CITY_DB = join(FIXTURES, 'GeoIP2-City-Test.mmdb');

describe('GeoIP lookup (event.request.geoip)', () => {
  let lookup: GeoIpLookup;
  before(async () => {
    lookup = await openGeoIp(CITY_DB);
  });

  it("maps a MaxMind City record to Auth0's fields, with the alpha-3 country code", () => {
    assert.deepEqual(lookup('216.160.83.56'), {
      countryCode: 'US',
      countryCode3: 'USA',
      countryName: 'United States',
      cityName: 'Milton',
      latitude: 47.2513,
      longitude: -122.3149,
      timeZone: 'America/Los_Angeles',
      subdivisionCode: 'WA',
      subdivisionName: 'Washington',
      continentCode: 'NA',
    });
  });

  it('takes the largest subdivision and English names', () => {
    const boxford = lookup('2.125.160.216');
    assert.equal(boxford?.subdivisionCode, 'ENG', 'England, not West Berkshire');
    assert.equal(boxford?.subdivisionName, 'England');
    assert.equal(boxford?.countryCode3, 'GBR');
    const linkoping = lookup('89.160.20.112');
    assert.equal(linkoping?.cityName, 'Linköping');
    assert.equal(linkoping?.subdivisionName, 'Östergötland County');
  });

  it('omits what the record does not know instead of sending nulls', () => {
    assert.deepEqual(lookup('2001:218::1'), {
      countryCode: 'JP',
      countryCode3: 'JPN',
      countryName: 'Japan',
      latitude: 35.68536,
      longitude: 139.75309,
      timeZone: 'Asia/Tokyo',
      continentCode: 'AS',
    });
  });

  it('looks up an IPv4 client seen on a dual-stack socket (IPv4-mapped IPv6) as the IPv4 address', () => {
    const london = lookup('81.2.69.142');
    assert.equal(london?.cityName, 'London');
    assert.deepEqual(lookup('::ffff:81.2.69.142'), london);
    assert.deepEqual(lookup('::FFFF:5102:458e'), london, 'the hex spelling too');
  });

  it('answers undefined for private, loopback, link-local and unknown addresses', () => {
    for (const ip of [
      '127.0.0.1',
      '10.1.2.3',
      '192.168.0.10',
      '172.16.5.4',
      '::1',
      'fe80::1',
      '::ffff:127.0.0.1',
    ])
      assert.equal(lookup(ip), undefined, ip);
    assert.equal(lookup('8.8.8.8'), undefined, 'a public address the database has no record for');
  });

  it('answers undefined for anything that is not an IP address, without throwing', () => {
    for (const ip of [
      '',
      'unknown',
      '81.2.69',
      '81.2.69.142.1',
      '999.1.1.1',
      'localhost',
      '81.2.69.142, 10.0.0.1',
    ])
      assert.equal(lookup(ip), undefined, JSON.stringify(ip));
  });

  it('knows the ISO alpha-3 code of every assigned alpha-2 code, and none for the rest', () => {
    assert.deepEqual(['DE', 'gb', 'CW', 'SS', 'AX'].map(countryCode3), ['DEU', 'GBR', 'CUW', 'SSD', 'ALA']);
    for (const code of ['XK', 'EU', 'AP', 'ZZ', '']) assert.equal(countryCode3(code), undefined, code);
  });

  it('refuses a file that is not a MaxMind DB, and a MaxMind DB without locations', () => {
    assert.throws(() => geoIpLookup(Buffer.from('network,geoname_id\n81.2.69.0/24,2643743\n')), {
      message: /^is not a MaxMind DB \(\.mmdb\) file: /,
    });
    assert.throws(() => geoIpLookup(readFileSync(join(FIXTURES, 'GeoIP2-Connection-Type-Test.mmdb'))), {
      message:
        'is a GeoIP2-Connection-Type database; a City or Country database (e.g. GeoLite2-City) is needed',
    });
  });
});
