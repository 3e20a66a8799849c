// LiveConnections: cutting by session, cutting all, and forgetting closed connections.
import { describe, expect, it } from 'vitest';
import { LiveConnections } from './live-connections.js';

describe('LiveConnections', () => {
  it('cuts one session\'s connections, then the rest, and forgets connections that ended on their own', () => {
    const live = new LiveConnections();
    const cut: string[] = [];
    const add = (name: string, sessionId: string | undefined) => live.add({ sessionId, route: 'app', close: () => cut.push(name) });
    add('a1', 'a');
    add('a2', 'a');
    add('b1', 'b');
    const endAnonymous = add('anonymous', undefined);
    add('anonymous-2', undefined);
    endAnonymous();
    expect(live.size).toBe(4);
    expect(live.closeSession('a')).toBe(2);
    expect(live.closeSession('a')).toBe(0);
    expect(cut).toEqual(['a1', 'a2']);
    expect(live.closeAll()).toBe(2);
    expect(cut).toEqual(['a1', 'a2', 'b1', 'anonymous-2']);
    expect(live.size).toBe(0);
    expect(live.countForSession('b')).toBe(0);
  });
});
