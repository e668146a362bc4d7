import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import type { PostLoginEventInput } from '@tessera/actions';
import { type CityResponse, Reader } from 'mmdb-lib';
import { countryCode3 } from './country-code3.ts';

/** `event.request.geoip`, in Auth0's field names. */
export type GeoIp = NonNullable<PostLoginEventInput['request']['geoip']>;
/** Where an IP address is; undefined when the database has no record for it or it is not an address. */
export type GeoIpLookup = (ip: string) => GeoIp | undefined;

/**
 * Opens a MaxMind DB (GeoLite2 / GeoIP2 City, or a compatible one such as DB-IP's) once, into memory,
 * and answers lookups from it. A Country database fills only the country and continent fields. Throws
 * when the file is not a MaxMind DB, or is one without locations (ASN, ISP, connection type…), which
 * would otherwise leave every login's geoip silently empty.
 */
export async function openGeoIp(path: string): Promise<GeoIpLookup> {
  return geoIpLookup(await readFile(path));
}

export function geoIpLookup(database: Buffer): GeoIpLookup {
  let reader: Reader<CityResponse>;
  try {
    reader = new Reader<CityResponse>(database);
  } catch (error) {
    throw new Error(`is not a MaxMind DB (.mmdb) file: ${(error as Error).message}`);
  }
  const type = reader.metadata.databaseType;
  if (!/City|Country|Enterprise/i.test(type))
    throw new Error(`is a ${type} database; a City or Country database (e.g. GeoLite2-City) is needed`);

  return (ip) => {
    const address = unmapIPv4(ip.trim());
    if (isIP(address) === 0) return undefined;
    // Private and reserved networks have no record in MaxMind's databases, so they come back undefined;
    // a custom database that maps an office's private ranges is obeyed.
    try {
      const record = reader.get(address);
      return record === null ? undefined : toGeoIp(record);
    } catch {
      // A malformed record must not fail a login: the event then has no geoip, as for an unknown address.
      return undefined;
    }
  };
}

/** Auth0's fields from a MaxMind City record; English names, the largest subdivision (MaxMind lists them largest first). */
function toGeoIp(record: CityResponse): GeoIp | undefined {
  const country = record.country?.iso_code;
  const subdivision = record.subdivisions?.[0];
  const fields: GeoIp = {
    countryCode: country,
    countryCode3: country === undefined ? undefined : countryCode3(country),
    countryName: record.country?.names?.en,
    cityName: record.city?.names?.en,
    latitude: record.location?.latitude,
    longitude: record.location?.longitude,
    timeZone: record.location?.time_zone,
    subdivisionCode: subdivision?.iso_code,
    subdivisionName: subdivision?.names?.en,
    continentCode: record.continent?.code,
  };
  // Auth0 omits what it does not know rather than sending nulls.
  const known = Object.entries(fields).filter(([, value]) => value !== undefined && value !== null);
  return known.length === 0 ? undefined : (Object.fromEntries(known) as GeoIp);
}

/**
 * A dual-stack socket reports an IPv4 client as `::ffff:a.b.c.d` (proxies may write `::ffff:xxxx:xxxx`):
 * look up the IPv4 address, which every database has, rather than rely on its IPv4-mapped alias.
 */
function unmapIPv4(ip: string): string {
  const mapped = /^::ffff:(?:(\d{1,3}(?:\.\d{1,3}){3})|([0-9a-f]{1,4}):([0-9a-f]{1,4}))$/i.exec(ip);
  if (mapped === null) return ip;
  if (mapped[1] !== undefined) return mapped[1];
  const high = Number.parseInt(mapped[2]!, 16);
  const low = Number.parseInt(mapped[3]!, 16);
  return [high >> 8, high & 255, low >> 8, low & 255].join('.');
}
