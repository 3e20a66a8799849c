// The scope index against a brute-force scope check: on random scopes (every constraint shape,
// shared and repeated targets) over a random hierarchy (with cycles and parents missing from the
// data, changing between requests) and random requests (entities in and out of the graph), the
// index must select every
// policy whose scope matches, each once, in ascending order, and nothing else except the two
// shapes it leaves to the exact test (`is T in E` of another type, `in [A, B]` with several
// entities).
import { describe, expect, it } from 'vitest';
import { InMemoryEntityGraph } from '../entity-graph.js';
import { EntityUid } from '../value.js';
import { ScopeIndex, sortAscending } from './scope-index.js';
import { scopeMatches, type ScopeTest } from './scope.js';
import { seededRandom } from '../../../../testing/seeded-random.js';


interface Scope {
  readonly principal: ScopeTest;
  readonly action: ScopeTest;
  readonly resource: ScopeTest;
}

/** Shapes the index does not settle exactly; everything else it selects must match. */
function leftToExactTest(test: ScopeTest): boolean {
  return (test.op === 'is' && test.in !== undefined) || (test.op === 'in' && new Set(test.uids).size !== 1);
}

describe('ScopeIndex', () => {
  for (const seed of [1, 2, 3, 4, 5, 6]) {
    it(`selects the policies whose scope matches, as a brute-force check does (seed ${seed})`, () => {
      const random = seededRandom(seed);
      const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
      const types = ['User', 'Group', 'Doc', 'Folder'];
      const entities = types.flatMap((type) => ['a', 'b', 'c', 'd'].map((id) => EntityUid.of(type, id)));
      const actions = ['read', 'write', 'all', 'admin', 'ghost'].map((id) => EntityUid.of('Action', id));
      const entityTest = (): ScopeTest => {
        switch (pick(['any', 'eq', 'in', 'is', 'isIn'])) {
          case 'any':
            return { op: 'any' };
          case 'eq':
            return { op: 'eq', uid: pick(entities) };
          case 'in':
            return { op: 'in', uids: [pick(entities)] };
          case 'is':
            return { op: 'is', type: pick(types) };
          default:
            return { op: 'is', type: pick(types), in: pick(entities) };
        }
      };
      const actionTest = (): ScopeTest => {
        switch (pick(['any', 'eq', 'in', 'inList', 'inList'])) {
          case 'any':
            return { op: 'any' };
          case 'eq':
            return { op: 'eq', uid: pick(actions) };
          case 'in':
            return { op: 'in', uids: [pick(actions)] };
          default:
            return { op: 'in', uids: Array.from({ length: Math.floor(random() * 4) }, () => pick(actions)) };
        }
      };
      const scopes: Scope[] = Array.from({ length: 20 + Math.floor(random() * 200) }, () => ({ principal: entityTest(), action: actionTest(), resource: entityTest() }));
      // A random hierarchy: some entities absent (they can still be parents), cycles allowed.
      const records = [...entities, ...actions]
        .filter(() => random() < 0.8)
        .map((uid) => ({
          uid,
          attrs: new Map(),
          tags: new Map(),
          parents: Array.from({ length: Math.floor(random() * 3) }, () => (uid.type === 'Action' ? pick(actions) : pick(entities))),
        }));
      const graph = new InMemoryEntityGraph(records);
      const index = new ScopeIndex(scopes);
      const out = new Uint32Array(scopes.length);
      const strangers = [EntityUid.of('User', 'nobody'), EntityUid.of('Action', 'nobody')];

      for (let r = 0; r < 300; r++) {
        // The hierarchy changes now and then: the index caches what it found per entity and must
        // follow (an entity re-parented, added or removed, and its descendants with it).
        if (r % 20 === 19) {
          const uid = pick([...entities, ...actions]);
          if (random() < 0.3) graph.remove([uid]);
          else graph.upsert([{ uid, attrs: new Map(), tags: new Map(), parents: Array.from({ length: Math.floor(random() * 3) }, () => (uid.type === 'Action' ? pick(actions) : pick(entities))) }]);
        }
        const principal = pick([...entities, strangers[0] as EntityUid]);
        const action = pick([...actions, strangers[1] as EntityUid]);
        const resource = pick([...entities, strangers[0] as EntityUid]);
        const [pd, ad, rd] = [graph.get(principal), graph.get(action), graph.get(resource)];
        const count = index.select(principal, pd, action, ad, resource, rd, out);
        const selected = [...out.subarray(0, count)];
        const matching = scopes.flatMap((s, i) => (scopeMatches(s.principal, principal, pd) && scopeMatches(s.action, action, ad) && scopeMatches(s.resource, resource, rd) ? [i] : []));

        expect(selected).toEqual([...new Set(selected)].sort((x, y) => x - y));
        for (const i of matching) expect(selected).toContain(i);
        for (const i of selected) {
          const s = scopes[i] as Scope;
          if (!matching.includes(i)) expect(leftToExactTest(s.principal) || leftToExactTest(s.action) || leftToExactTest(s.resource)).toBe(true);
        }
      }
    });
  }

  it('sortAscending sorts a prefix, small and large', () => {
    const random = seededRandom(9);
    for (const n of [0, 1, 2, 5, 24, 25, 100]) {
      const values = Uint32Array.from({ length: n + 3 }, () => Math.floor(random() * 1000));
      const tail = [...values.subarray(n)];
      const expected = [...values.subarray(0, n)].sort((a, b) => a - b);
      sortAscending(values, n);
      expect([...values.subarray(0, n)]).toEqual(expected);
      expect([...values.subarray(n)]).toEqual(tail);
    }
  });
});
