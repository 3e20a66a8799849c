// DecisionCache: TTL per entry, LRU bound, invalidation by session, with an injected clock.
import { describe, expect, it } from 'vitest';
import { DecisionCache, deviceTag, sessionTag } from './decision-cache.js';

function cacheWithClock(maxEntries: number): { cache: DecisionCache<string>; advance: (seconds: number) => void } {
  let now = 1_000_000;
  return { cache: new DecisionCache<string>(maxEntries, () => now), advance: (seconds) => (now += seconds * 1000) };
}

describe('DecisionCache', () => {
  it('returns what was stored until its TTL ends, then drops it', () => {
    const { cache, advance } = cacheWithClock(10);
    cache.set('k', 'allow', 30, [sessionTag('s1')]);
    expect(cache.get('k')).toBe('allow');
    expect(cache.get('other')).toBeUndefined();
    advance(29);
    expect(cache.get('k')).toBe('allow');
    advance(1);
    expect(cache.get('k')).toBeUndefined();
    expect(cache.size).toBe(0);
    // The expired entry also left the session index.
    expect(cache.invalidateSession('s1')).toBe(0);
  });

  it('keeps a TTL per entry', () => {
    const { cache, advance } = cacheWithClock(10);
    cache.set('short', 'a', 5);
    cache.set('long', 'b', 60);
    advance(10);
    expect(cache.get('short')).toBeUndefined();
    expect(cache.get('long')).toBe('b');
  });

  it('does not store with a TTL <= 0 or not a number, and such a set drops the older value', () => {
    const { cache } = cacheWithClock(10);
    for (const ttl of [0, -5, Number.NaN, Number.POSITIVE_INFINITY]) {
      cache.set('k', 'x', ttl);
      expect(cache.get('k')).toBeUndefined();
    }
    cache.set('k', 'old allow', 60, [sessionTag('s1')]);
    cache.set('k', 'new deny', 0, [sessionTag('s1')]);
    expect(cache.get('k')).toBeUndefined();
    expect(cache.size).toBe(0);
    expect(cache.invalidateSession('s1')).toBe(0);
  });

  it('never stores with maxEntries 0', () => {
    const { cache } = cacheWithClock(0);
    cache.set('k', 'x', 60, [sessionTag('s1')]);
    expect(cache.get('k')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('evicts the least recently used entry beyond maxEntries', () => {
    const { cache } = cacheWithClock(2);
    cache.set('a', 'A', 60);
    cache.set('b', 'B', 60);
    expect(cache.get('a')).toBe('A');
    cache.set('c', 'C', 60);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe('A');
    expect(cache.get('c')).toBe('C');
    expect(cache.size).toBe(2);
  });

  it('stays within its bound under many inserts and keeps the newest', () => {
    const { cache } = cacheWithClock(100);
    for (let i = 0; i < 1000; i += 1) cache.set(`k${i}`, `v${i}`, 60, [sessionTag(`s${i % 7}`)]);
    expect(cache.size).toBe(100);
    expect(cache.get('k899')).toBeUndefined();
    expect(cache.get('k900')).toBe('v900');
    expect(cache.get('k999')).toBe('v999');
    // Evicted entries left the session index: only the 100 live ones are counted.
    let dropped = 0;
    for (let s = 0; s < 7; s += 1) dropped += cache.invalidateSession(`s${s}`);
    expect(dropped).toBe(100);
    expect(cache.size).toBe(0);
  });

  it('invalidates every entry of one session and nothing else', () => {
    const { cache } = cacheWithClock(10);
    cache.set('s1:route-a:GET', 'allow', 60, [sessionTag('s1')]);
    cache.set('s1:route-b:GET', 'allow', 60, [sessionTag('s1')]);
    cache.set('s2:route-a:GET', 'allow', 60, [sessionTag('s2')]);
    cache.set('anonymous', 'deny', 60);
    expect(cache.invalidateSession('s1')).toBe(2);
    expect(cache.get('s1:route-a:GET')).toBeUndefined();
    expect(cache.get('s1:route-b:GET')).toBeUndefined();
    expect(cache.get('s2:route-a:GET')).toBe('allow');
    expect(cache.get('anonymous')).toBe('deny');
    expect(cache.invalidateSession('s1')).toBe(0);
    expect(cache.invalidateSession('unknown')).toBe(0);
  });

  it('moves a re-set key to its new session', () => {
    const { cache } = cacheWithClock(10);
    cache.set('k', 'first', 60, [sessionTag('s1')]);
    cache.set('k', 'second', 60, [sessionTag('s2')]);
    expect(cache.invalidateSession('s1')).toBe(0);
    expect(cache.get('k')).toBe('second');
    expect(cache.invalidateSession('s2')).toBe(1);
    expect(cache.get('k')).toBeUndefined();
  });

  it('clears everything', () => {
    const { cache } = cacheWithClock(10);
    cache.set('a', 'A', 60, [sessionTag('s1')]);
    cache.set('b', 'B', 60);
    cache.clear();
    expect(cache.size).toBe(0);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.invalidateSession('s1')).toBe(0);
  });

  it('refuses a size that is negative or not a whole number', () => {
    expect(() => new DecisionCache(-1)).toThrow(expect.objectContaining({ code: 'TENET_ERR_CONFIG_INVALID_LIMIT' }));
    expect(() => new DecisionCache(1.5)).toThrow(expect.objectContaining({ code: 'TENET_ERR_CONFIG_INVALID_LIMIT' }));
  });

  it('drops by any tag an entry carries, and the other tags forget it too', () => {
    const { cache } = cacheWithClock(10);
    cache.set('a', 'A', 60, [sessionTag('s1'), deviceTag('d1')]);
    cache.set('b', 'B', 60, [sessionTag('s2'), deviceTag('d1')]);
    cache.set('c', 'C', 60, [sessionTag('s1')]);
    expect(cache.invalidateDevice('d1')).toBe(2);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('c')).toBe('C');
    // 'a' left the session index with its device tag: only 'c' remains for s1.
    expect(cache.invalidateSession('s1')).toBe(1);
    expect(cache.invalidateSession('s2')).toBe(0);
    expect(cache.size).toBe(0);
  });
});
