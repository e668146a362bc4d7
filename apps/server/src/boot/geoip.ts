import { ConfigError } from '@tessera/core';
import { type GeoIpLookup, openGeoIp } from '@tessera/triggers';

/**
 * The GeoIP database named by TESSERA_GEOIP_DB, opened once at boot. The config check only saw that it
 * is a MaxMind DB; one that cannot be read as a City database stops the boot here, naming the variable.
 */
export async function openConfiguredGeoIp(path: string | undefined): Promise<GeoIpLookup | undefined> {
  if (path === undefined) return undefined;
  try {
    return await openGeoIp(path);
  } catch (error) {
    throw new ConfigError('TESSERA_GEOIP_DB', `${path} ${(error as Error).message}`);
  }
}
