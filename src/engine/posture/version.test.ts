import { describe, expect, it } from 'vitest';
import { compareVersions, isAtLeastVersion, parseVersion } from './version.js';

describe('dotted versions', () => {
  it.each([
    ['6.10', '6.9', true],
    ['6.9', '6.10', false],
    ['14', '14.0', true],
    ['14.0', '14', true],
    ['14', '14.0.1', false],
    ['14.0.1', '14', true],
    ['5.10.0-18-amd64', '6.1', false],
    ['6.1.0-18-amd64', '6.1', true],
    ['14.4.1 (23E224)', '14.4', true],
    ['v1.2.3', '1.2', true],
    ['10', '9.99.99', true],
  ])('%s at least %s: %s', (actual, minimum, expected) => {
    expect(isAtLeastVersion(actual, minimum)).toBe(expected);
  });

  it('refuses text that does not start with a version', () => {
    expect(parseVersion('Sonoma')).toBeUndefined();
    expect(parseVersion('')).toBeUndefined();
    expect(parseVersion('99999999999999999999')).toBeUndefined();
    expect(isAtLeastVersion('unknown', '1')).toBe(false);
    expect(isAtLeastVersion('1.0', 'latest')).toBe(false);
  });

  it('compares component by component, missing ones as zero', () => {
    expect(compareVersions([6, 10], [6, 9])).toBeGreaterThan(0);
    expect(compareVersions([1], [1, 0, 0])).toBe(0);
    expect(compareVersions([1, 2], [1, 2, 1])).toBeLessThan(0);
  });
});
