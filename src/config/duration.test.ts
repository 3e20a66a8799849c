import { describe, expect, it } from 'vitest';
import { parseDuration } from './duration.js';

describe('parseDuration', () => {
  it('reads each unit', () => {
    expect(parseDuration('90s')).toBe(90);
    expect(parseDuration('15m')).toBe(900);
    expect(parseDuration('1h')).toBe(3600);
    expect(parseDuration('7d')).toBe(604_800);
  });
  it('refuses anything else', () => {
    for (const bad of ['', '1', 'h', '1.5h', '-1h', '1w', '1 h x', '10000000000s']) expect(parseDuration(bad)).toBeUndefined();
  });
});
