import { describe, expect, it } from 'vitest';
import { JtiReplaySet } from './jti-replay.js';

describe('JtiReplaySet', () => {
  it('refuses a key seen within its lifetime and forgets it afterwards', () => {
    let now = 1_000;
    const set = new JtiReplaySet(10, 500, () => now);
    expect(set.firstUse('a')).toBe(true);
    expect(set.firstUse('a')).toBe(false);
    now = 1_499;
    expect(set.firstUse('a')).toBe(false);
    now = 1_500;
    expect(set.firstUse('a')).toBe(true);
  });

  it('stays within its bound, dropping the oldest first', () => {
    const set = new JtiReplaySet(3, 10_000, () => 0);
    for (const key of ['a', 'b', 'c', 'd']) expect(set.firstUse(key)).toBe(true);
    expect(set.size).toBe(3);
    expect(set.firstUse('d')).toBe(false);
    expect(set.firstUse('a')).toBe(true); // the oldest was dropped to make room
  });
});
