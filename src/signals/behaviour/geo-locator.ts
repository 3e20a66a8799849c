// IP geolocation for impossible-travel detection: a MaxMind-format database (`.mmdb`: GeoLite2 /
// GeoIP2 City, DB-IP, IPinfo) read with the `maxmind` package, or any other locator (tests).
import maxmind, { type CityResponse, type Reader } from 'maxmind';
import { TenetError } from '../../errors.js';

export interface GeoPlace {
  readonly latitude: number;
  readonly longitude: number;
  /** For the reasons: "Paris, FR"; "FR" or the coordinates when the database has no names. */
  readonly label: string;
}

export interface GeoLocator {
  /** Undefined for an address the database does not place (private ranges, unknown). */
  locate(ip: string): GeoPlace | undefined;
}

export class MaxMindLocator implements GeoLocator {
  constructor(private readonly reader: Reader<CityResponse>) {}

  locate(ip: string): GeoPlace | undefined {
    if (!maxmind.validate(ip)) return undefined;
    let found: CityResponse | null;
    try {
      found = this.reader.get(ip);
    } catch {
      return undefined;
    }
    const location = found?.location;
    if (found === null || found === undefined || location === undefined || typeof location.latitude !== 'number' || typeof location.longitude !== 'number') return undefined;
    const city = found.city?.names?.en;
    const country = found.country?.iso_code;
    const label = [city, country].filter((part) => part !== undefined && part !== '').join(', ') || `${location.latitude.toFixed(2)}, ${location.longitude.toFixed(2)}`;
    return { latitude: location.latitude, longitude: location.longitude, label };
  }
}

/** Opens the database; TENET_ERR_CONFIG_GEOIP_UNREADABLE when it cannot be read as an .mmdb. */
export async function openMaxMindLocator(path: string): Promise<MaxMindLocator> {
  try {
    return new MaxMindLocator(await maxmind.open<CityResponse>(path, { cache: { max: 10_000 } }));
  } catch (error) {
    throw new TenetError('TENET_ERR_CONFIG_GEOIP_UNREADABLE', `behaviour.geoip.database: ${path} is not a readable MaxMind database: ${(error as Error).message}`, [{ path: 'behaviour.geoip.database', message: (error as Error).message }], { cause: error });
  }
}

const EARTH_RADIUS_KM = 6371.0088;

/** Great-circle distance (haversine formula, mean Earth radius). */
export function distanceKm(a: GeoPlace, b: GeoPlace): number {
  const rad = Math.PI / 180;
  const dLat = (b.latitude - a.latitude) * rad;
  const dLon = (b.longitude - a.longitude) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.latitude * rad) * Math.cos(b.latitude * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}
