import { describe, expect, it } from 'vitest';
import { deviceIdFromUri, deviceIdUri, isValidDeviceId } from './device-id.js';

describe('device ids', () => {
  it('accepts 1-128 of [A-Za-z0-9._-] and nothing else', () => {
    expect(isValidDeviceId('laptop-7.corp_A')).toBe(true);
    expect(isValidDeviceId('a'.repeat(128))).toBe(true);
    for (const bad of ['', 'a'.repeat(129), 'a/b', 'a b', 'é', 'a%2Db', 'a:b']) expect(isValidDeviceId(bad)).toBe(false);
  });

  it('writes and reads the URI form under a prefix', () => {
    expect(deviceIdUri('urn:tenet:device:', 'laptop-7')).toBe('urn:tenet:device:laptop-7');
    expect(deviceIdFromUri('spiffe://example.com/device/', 'spiffe://example.com/device/laptop-7')).toBe('laptop-7');
    expect(() => deviceIdUri('urn:tenet:device:', 'a/b')).toThrow(/device id/);
  });

  it('reads only the canonical form under the exact prefix', () => {
    expect(deviceIdFromUri('urn:tenet:device:', 'urn:tenet:device:laptop%2D7')).toBeUndefined();
    expect(deviceIdFromUri('urn:tenet:device:', 'urn:tenet:device:a%2Fb')).toBeUndefined();
    expect(deviceIdFromUri('urn:tenet:device:', 'urn:tenet:device:%E0%A4%A')).toBeUndefined();
    expect(deviceIdFromUri('urn:tenet:device:', 'urn:other:device:laptop')).toBeUndefined();
    expect(deviceIdFromUri('urn:tenet:device:', 'urn:tenet:device:')).toBeUndefined();
  });
});
