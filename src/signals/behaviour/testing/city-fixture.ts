// TESTS ONLY: a tiny City database (Paris, Lyon, Sydney) written to a temporary .mmdb file.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cityRecord, writeMmdb } from './mmdb-writer.js';

export const PARIS_IP = '81.2.69.160';
export const LYON_IP = '85.10.1.1';
export const SYDNEY_IP = '1.130.4.5';

export function writeCityFixture(): string {
  const path = join(mkdtempSync(join(tmpdir(), 'tenet-geoip-')), 'city.mmdb');
  writeFileSync(
    path,
    writeMmdb([
      { cidr: '81.2.69.0/24', data: cityRecord('Paris', 'FR', 48.8566, 2.3522) },
      { cidr: '1.128.0.0/11', data: cityRecord('Sydney', 'AU', -33.8688, 151.2093) },
      { cidr: '85.10.0.0/16', data: cityRecord('Lyon', 'FR', 45.764, 4.8357) },
    ]),
  );
  return path;
}
