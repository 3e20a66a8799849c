import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { distanceKm, openMaxMindLocator } from './geo-locator.js';
import { PARIS_IP, SYDNEY_IP, writeCityFixture } from './testing/city-fixture.js';

describe('MaxMind locator', () => {
  it('reads a real .mmdb through the maxmind package', async () => {
    const locator = await openMaxMindLocator(writeCityFixture());
    expect(locator.locate(PARIS_IP)).toEqual({ latitude: 48.8566, longitude: 2.3522, label: 'Paris, FR' });
    expect(locator.locate(SYDNEY_IP)).toMatchObject({ label: 'Sydney, AU' });
    expect(locator.locate('203.0.113.9')).toBeUndefined();
    expect(locator.locate('not an ip')).toBeUndefined();
  });

  it('refuses a file that is not a MaxMind database with a config error', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'tenet-geoip-')), 'bad.mmdb');
    writeFileSync(path, 'hello');
    await expect(openMaxMindLocator(path)).rejects.toMatchObject({ code: 'TENET_ERR_CONFIG_GEOIP_UNREADABLE' });
  });

  it('measures great-circle distances', () => {
    const paris = { latitude: 48.8566, longitude: 2.3522, label: 'Paris' };
    const sydney = { latitude: -33.8688, longitude: 151.2093, label: 'Sydney' };
    expect(Math.round(distanceKm(paris, sydney))).toBeGreaterThan(16_900);
    expect(Math.round(distanceKm(paris, sydney))).toBeLessThan(17_000);
    expect(distanceKm(paris, paris)).toBe(0);
  });
});
