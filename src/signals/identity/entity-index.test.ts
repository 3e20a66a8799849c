// Tests for EntityIndex: lookup and transitive ancestors, including cycles and dangling parents.
import { describe, expect, it } from 'vitest';
import type { CedarEntity } from '../../engine/signals.js';
import type { EntityRef } from '../../engine/tuple.js';
import { EntityIndex } from './entity-index.js';

function entity(type: string, id: string, parents: EntityRef[] = [], attrs: Record<string, string> = {}): CedarEntity {
  return { uid: { type, id }, attrs, parents };
}
const ref = (type: string, id: string): EntityRef => ({ type, id });
const names = (refs: readonly EntityRef[]): string[] => refs.map((r) => `${r.type}::${r.id}`).sort();

describe('EntityIndex', () => {
  it('gets entities by type and id; later duplicates win', () => {
    const index = new EntityIndex([entity('User', 'a', [], { v: '1' }), entity('Group', 'a'), entity('User', 'a', [], { v: '2' })]);
    expect(index.get(ref('User', 'a'))?.attrs).toEqual({ v: '2' });
    expect(index.get(ref('Group', 'a'))?.uid).toEqual(ref('Group', 'a'));
    expect(index.get(ref('User', 'b'))).toBeUndefined();
    expect(index.size).toBe(2);
  });

  it('does not confuse type/id splits that would collide in a joined key', () => {
    const index = new EntityIndex([entity('A', 'B::C'), entity('A::B', 'C')]);
    expect(index.get(ref('A', 'B::C'))?.uid.type).toBe('A');
    expect(index.get(ref('A::B', 'C'))?.uid.type).toBe('A::B');
  });

  it('computes transitive ancestors, each once', () => {
    const index = new EntityIndex([
      entity('User', 'alice', [ref('Group', 'eng'), ref('Group', 'oncall')]),
      entity('Group', 'eng', [ref('Group', 'staff')]),
      entity('Group', 'oncall', [ref('Group', 'staff')]),
      entity('Group', 'staff', [ref('Org', 'acme')]),
      entity('Org', 'acme'),
    ]);
    expect(names(index.ancestorsOf(ref('User', 'alice')))).toEqual(['Group::eng', 'Group::oncall', 'Group::staff', 'Org::acme']);
    expect(names(index.ancestorsOf(ref('Group', 'staff')))).toEqual(['Org::acme']);
    expect(index.ancestorsOf(ref('Org', 'acme'))).toEqual([]);
    expect(index.ancestorsOf(ref('User', 'ghost'))).toEqual([]);
  });

  it('terminates on cycles and never lists an entity as its own ancestor', () => {
    const index = new EntityIndex([
      entity('Group', 'a', [ref('Group', 'b')]),
      entity('Group', 'b', [ref('Group', 'c')]),
      entity('Group', 'c', [ref('Group', 'a')]),
      entity('Group', 'self', [ref('Group', 'self')]),
      entity('User', 'u', [ref('Group', 'b')]),
    ]);
    expect(names(index.ancestorsOf(ref('Group', 'a')))).toEqual(['Group::b', 'Group::c']);
    expect(names(index.ancestorsOf(ref('Group', 'c')))).toEqual(['Group::a', 'Group::b']);
    expect(index.ancestorsOf(ref('Group', 'self'))).toEqual([]);
    expect(names(index.ancestorsOf(ref('User', 'u')))).toEqual(['Group::a', 'Group::b', 'Group::c']);
  });

  it('includes dangling parents without ancestors of their own', () => {
    const index = new EntityIndex([entity('User', 'u', [ref('Group', 'missing'), ref('Group', 'missing')])]);
    expect(index.ancestorsOf(ref('User', 'u'))).toEqual([ref('Group', 'missing')]);
  });

  it('handles a long chain without recursion limits', () => {
    const chain = Array.from({ length: 20_000 }, (_, i) => entity('Group', `g${i}`, i + 1 < 20_000 ? [ref('Group', `g${i + 1}`)] : []));
    const index = new EntityIndex(chain.reverse());
    expect(index.ancestorsOf(ref('Group', 'g0'))).toHaveLength(19_999);
  });
});
