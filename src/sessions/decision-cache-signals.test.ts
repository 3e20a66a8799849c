// The decision cache's continuous-verification side: subject and client-address tags, dropping
// by address test (visiting addresses, not entries), and refusing to store a decision that was in
// flight while one of its signals was invalidated.
import { describe, expect, it } from 'vitest';
import { DecisionCache, deviceTag, ipTag, sessionTag, subjectTag } from './decision-cache.js';

describe('DecisionCache signal tags', () => {
  it('spells subject and address tags as the verifier looks them up', () => {
    expect(subjectTag({ type: 'User', id: 'alice "a"' })).toBe('subject:User::"alice \\"a\\""');
    expect(ipTag('2001:db8::1')).toBe('ip:2001:db8::1');
  });

  it('drops a subject\'s entries, and entries of addresses a test accepts, leaving the rest', () => {
    const cache = new DecisionCache<string>(10);
    cache.set('a', 'x', 60, [sessionTag('s1'), subjectTag({ type: 'User', id: 'alice' }), ipTag('198.51.100.7')]);
    cache.set('b', 'x', 60, [sessionTag('s2'), subjectTag({ type: 'User', id: 'bob' }), ipTag('198.51.100.8')]);
    cache.set('c', 'x', 60, [sessionTag('s3'), subjectTag({ type: 'User', id: 'bob' }), ipTag('192.0.2.1'), deviceTag('d1')]);
    expect(cache.invalidateSubject({ type: 'User', id: 'alice' })).toBe(1);
    const asked: string[] = [];
    const hit = cache.invalidateAddresses((address) => {
      asked.push(address);
      return address.startsWith('198.51.100.');
    });
    expect(hit).toEqual(['198.51.100.8']);
    // Only the addresses still cached were visited, once each.
    expect(asked.sort()).toEqual(['192.0.2.1', '198.51.100.8']);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('c')).toBe('x');
    expect(cache.invalidateAddresses(() => true)).toEqual(['192.0.2.1']);
    expect(cache.size).toBe(0);
  });

  it('does not store a decision begun before one of its tags (or everything) was invalidated', () => {
    const cache = new DecisionCache<string>(10);
    const before = cache.generation();
    cache.invalidate(sessionTag('s1'));
    cache.set('stale', 'allow', 60, [sessionTag('s1')], before);
    expect(cache.get('stale')).toBeUndefined();
    // Another signal's invalidation does not hold back an unrelated decision.
    cache.set('unrelated', 'allow', 60, [sessionTag('s2')], before);
    expect(cache.get('unrelated')).toBe('allow');
    const beforeClear = cache.generation();
    cache.clear();
    cache.set('after-clear', 'allow', 60, [sessionTag('s2')], beforeClear);
    expect(cache.get('after-clear')).toBeUndefined();
    cache.set('fresh', 'allow', 60, [sessionTag('s1')], cache.generation());
    expect(cache.get('fresh')).toBe('allow');
  });
});
