import { describe, expect, it } from 'vitest';
import { InMemoryEntityGraph, type EntityRecord } from './entity-graph.js';
import { EntityUid } from './value.js';
import { seededRandom } from '../../../testing/seeded-random.js';

const uid = (id: string, type = 'G'): EntityUid => EntityUid.of(type, id);
const record = (id: string, parents: readonly string[] = [], attrs: Record<string, string> = {}): EntityRecord => ({
  uid: uid(id),
  attrs: new Map(Object.entries(attrs)),
  tags: new Map(),
  parents: parents.map((p) => uid(p)),
});
const ancestors = (graph: InMemoryEntityGraph, id: string): string[] => [...(graph.get(uid(id))?.ancestors ?? [])].map((key) => EntityUid.of('G', JSON.parse(key.slice(3)) as string).id).sort();

/** Cedar's definition, computed naively: parents, then the parents of every parent present in the data. */
function bruteForce(records: ReadonlyMap<string, EntityRecord>, start: EntityRecord): Set<string> {
  const found = new Set<string>();
  const queue = [...start.parents];
  while (queue.length > 0) {
    const next = queue.pop() as EntityUid;
    if (found.has(next.key)) continue;
    found.add(next.key);
    const data = records.get(next.key);
    if (data !== undefined) queue.push(...data.parents);
  }
  return found;
}


describe('InMemoryEntityGraph', () => {
  it('computes transitive ancestors; a missing parent is an ancestor with no ancestors of its own', () => {
    const graph = new InMemoryEntityGraph([record('user', ['team']), record('team', ['dept', 'ghost']), record('dept', ['org'])]);
    expect(ancestors(graph, 'user')).toEqual(['dept', 'ghost', 'org', 'team']);
    expect(ancestors(graph, 'dept')).toEqual(['org']);
    expect(graph.get(uid('org'))).toBeUndefined();
    expect(graph.get(uid('user'))?.attrs.size).toBe(0);
    expect(graph.entitiesOnCycles()).toEqual([]);
  });

  it('handles a deep chain', () => {
    // A chain's closure is quadratic in its depth (as in Cedar), so keep this one moderate.
    const depth = 2_000;
    const graph = new InMemoryEntityGraph(Array.from({ length: depth }, (_, i) => record(`n${i}`, i + 1 < depth ? [`n${i + 1}`] : [])));
    expect(graph.get(uid('n0'))?.ancestors.size).toBe(depth - 1);
    expect(graph.get(uid('n0'))?.ancestors.has(uid(`n${depth - 1}`).key)).toBe(true);
    expect(graph.get(uid(`n${depth - 2}`))?.ancestors.size).toBe(1);
  });

  it('walks a 20,000-long parent path without exhausting the call stack', () => {
    // One long cycle: the traversal is 20,000 deep, but all members share one ancestor set.
    const length = 20_000;
    const graph = new InMemoryEntityGraph(Array.from({ length }, (_, i) => record(`c${i}`, [`c${(i + 1) % length}`])));
    expect(graph.get(uid('c0'))?.ancestors.size).toBe(length);
    expect(graph.entitiesOnCycles()).toHaveLength(length);
  });

  it('handles a wide fan-in and fan-out', () => {
    const groups = Array.from({ length: 200 }, (_, i) => record(`g${i}`, ['root']));
    const users = Array.from({ length: 2_000 }, (_, i) => record(`u${i}`, [`g${i % 200}`, `g${(i * 7) % 200}`]));
    const graph = new InMemoryEntityGraph([...users, ...groups, record('root')]);
    expect(ancestors(graph, 'u7')).toEqual(['g49', 'g7', 'root']);
    expect(ancestors(graph, 'u0')).toEqual(['g0', 'root']);
  });

  it('stays correct on cycles and reports the entities on them (Cedar rejects such data)', () => {
    const graph = new InMemoryEntityGraph([record('a', ['b']), record('b', ['c']), record('c', ['a', 'top']), record('d', ['a']), record('self', ['self'])]);
    expect(ancestors(graph, 'a')).toEqual(['a', 'b', 'c', 'top']);
    expect(ancestors(graph, 'c')).toEqual(['a', 'b', 'c', 'top']);
    expect(ancestors(graph, 'd')).toEqual(['a', 'b', 'c', 'top']);
    expect(graph.entitiesOnCycles().map((u) => u.id).sort()).toEqual(['a', 'b', 'c', 'self']);
    graph.upsert([record('c', ['top'])]);
    expect(graph.entitiesOnCycles().map((u) => u.id).sort()).toEqual(['self']);
    expect(ancestors(graph, 'a')).toEqual(['b', 'c', 'top']);
  });

  it('upsert updates the descendants of a changed entity, including entities that named it before it existed', () => {
    const graph = new InMemoryEntityGraph([record('user', ['team'])]);
    expect(ancestors(graph, 'user')).toEqual(['team']);
    graph.upsert([record('team', ['dept'])]);
    expect(ancestors(graph, 'user')).toEqual(['dept', 'team']);
    graph.upsert([record('dept', ['org'])]);
    expect(ancestors(graph, 'user')).toEqual(['dept', 'org', 'team']);
    graph.upsert([record('team', ['other'])]);
    expect(ancestors(graph, 'user')).toEqual(['other', 'team']);
    expect(ancestors(graph, 'dept')).toEqual(['org']);
    graph.upsert([record('user', [], { name: 'x' })]);
    expect(ancestors(graph, 'user')).toEqual([]);
    expect(graph.get(uid('user'))?.attrs.get('name')).toBe('x');
  });

  it('remove keeps a removed parent as a plain ancestor of its children', () => {
    const graph = new InMemoryEntityGraph([record('user', ['team']), record('team', ['dept']), record('dept', ['org'])]);
    graph.remove([uid('team')]);
    expect(graph.get(uid('team'))).toBeUndefined();
    expect(ancestors(graph, 'user')).toEqual(['team']);
    graph.upsert([record('team', ['dept'])]);
    expect(ancestors(graph, 'user')).toEqual(['dept', 'org', 'team']);
    graph.remove([uid('nothing'), uid('dept')]);
    expect(ancestors(graph, 'user')).toEqual(['dept', 'team']);
    expect(graph.size).toBe(2);
  });

  it('matches the naive closure after random upserts and removes (seeded)', () => {
    const random = seededRandom(20240601);
    const ids = Array.from({ length: 40 }, (_, i) => `e${i}`);
    const pick = (): string => ids[Math.floor(random() * ids.length)] as string;
    const truth = new Map<string, EntityRecord>();
    const graph = new InMemoryEntityGraph();
    for (let step = 0; step < 400; step++) {
      if (random() < 0.7) {
        const batch = Array.from({ length: 1 + Math.floor(random() * 3) }, () => record(pick(), Array.from({ length: Math.floor(random() * 3) }, pick)));
        graph.upsert(batch);
        for (const r of batch) truth.set(r.uid.key, r);
      } else {
        const gone = [uid(pick()), uid(pick())];
        graph.remove(gone);
        for (const u of gone) truth.delete(u.key);
      }
      expect(graph.size).toBe(truth.size);
      for (const r of truth.values()) {
        expect([...(graph.get(r.uid)?.ancestors ?? [])].sort(), `step ${step}, ${r.uid.key}`).toEqual([...bruteForce(truth, r)].sort());
      }
    }
  });
});
