// The entity view answers as entityGraphFromJson does, and its per-object conversion cache never
// serves stale data: not after the signals index is rebuilt with changed entities, not for a
// request's overlaid principal or resource.
import { describe, expect, it } from 'vitest';
import { TenetError } from '../../../errors.js';
import { EntityIndex } from '../../../signals/identity/entity-index.js';
import { decide } from '../../decide.js';
import { loadPolicySet } from '../../load-policy-set.js';
import { DEFAULT_ENGINE_SETTINGS } from '../../settings.js';
import type { CedarEntity } from '../../signals.js';
import { request, snapshot } from '../../testdata/fixtures.js';
import { entityViewFromJson } from './entity-view.js';
import { entityGraphFromJson } from './json/index.js';
import { EntityUid, RecordValue, valueKey, type EntityGraph } from './value.js';

const user = (id: string, parents: string[] = [], attrs: Record<string, unknown> = {}): Record<string, unknown> => ({ uid: { type: 'User', id }, attrs, parents: parents.map((p) => ({ type: 'User', id: p })) });

type Outcome = { error: string } | { entities: Record<string, { attrs: string; tags: string; ancestors: string[] } | undefined> };

function describeGraph(build: () => EntityGraph, ids: readonly string[]): Outcome {
  let graph: EntityGraph;
  try {
    graph = build();
  } catch (error) {
    if (error instanceof TenetError) return { error: error.message };
    throw error;
  }
  const entities: Record<string, { attrs: string; tags: string; ancestors: string[] } | undefined> = {};
  for (const id of ids) {
    const data = graph.get(EntityUid.of('User', id));
    entities[id] = data === undefined ? undefined : { attrs: valueKey(new RecordValue(data.attrs)), tags: valueKey(new RecordValue(data.tags)), ancestors: [...data.ancestors].sort() };
  }
  return { entities };
}

describe('entityViewFromJson answers as entityGraphFromJson', () => {
  const shared = user('s', ['t'], { n: 1 });
  const cases: [string, unknown][] = [
    ['empty list', []],
    ['hierarchy', [user('a', ['b']), user('b', ['c']), user('c'), user('d', ['a', 'ghost', 'a'])]],
    ['diamond', [user('a', ['b', 'c']), user('b', ['d']), user('c', ['d']), user('d', ['e'])]],
    ['missing parent', [user('a', ['ghost'])]],
    ['same object twice', [shared, user('t'), shared]],
    ['identical duplicates', [user('a', ['b'], { x: 1 }), user('b'), user('a', ['b'], { x: 1 })]],
    ['differing duplicates', [user('a', [], { x: 1 }), user('a', [], { x: 2 })]],
    ['duplicate before a bad entry', [user('a', [], { x: 1 }), user('a', [], { x: 2 }), user('b', [], { y: null })]],
    ['bad entry before a duplicate', [user('a', [], { x: 1 }), user('b', [], { y: null }), user('a', [], { x: 2 })]],
    ['cycle', [user('c'), user('a', ['b']), user('b', ['a'])]],
    ['self parent', [user('a', ['a'])]],
    ['cycle below an acyclic entity', [user('x', ['a']), user('a', ['b']), user('b', ['c']), user('c', ['a'])]],
    ['missing attrs', [{ uid: { type: 'User', id: 'a' }, parents: [] }]],
    ['null attribute', [user('a', [], { x: null })]],
    ['not a list', { a: 1 }],
    ['not an object', [user('a'), 3]],
  ];
  const ids = ['a', 'b', 'c', 'd', 'x', 's', 't', 'ghost'];
  it.each(cases)('%s', (_name, json) => {
    expect(describeGraph(() => entityViewFromJson(json), ids)).toEqual(describeGraph(() => entityGraphFromJson(json), ids));
    // Again, now that the objects are cached.
    expect(describeGraph(() => entityViewFromJson(json), ids)).toEqual(describeGraph(() => entityGraphFromJson(json), ids));
  });

  it('computes ancestors per call: the same cached entity in a different list', () => {
    const a = user('a', ['b']);
    const b1 = user('b', ['c']);
    expect([...(entityViewFromJson([a, b1]).get(EntityUid.of('User', 'a'))?.ancestors ?? [])].sort()).toEqual(['User::"b"', 'User::"c"']);
    expect([...(entityViewFromJson([a]).get(EntityUid.of('User', 'a'))?.ancestors ?? [])]).toEqual(['User::"b"']);
    expect([...(entityViewFromJson([a, user('b', ['z'])]).get(EntityUid.of('User', 'a'))?.ancestors ?? [])].sort()).toEqual(['User::"b"', 'User::"z"']);
  });

  it('does not cache a failed conversion', () => {
    const bad = user('a', [], { x: null });
    expect(() => entityViewFromJson([bad])).toThrow('entities[0].attrs.x');
    expect(() => entityViewFromJson([user('b'), bad])).toThrow('entities[1].attrs.x');
  });
});

describe('the engine never decides on stale entity data', () => {
  const policySet = loadPolicySet({
    policies: [{ file: 'p.cedar', text: 'permit(principal, action, resource) when { principal has level && principal.level >= 3 && resource has open && resource.open };' }],
  });
  const settings = DEFAULT_ENGINE_SETTINGS;
  const doc = (open: boolean): CedarEntity => ({ uid: { type: 'App', id: 'wiki' }, attrs: { open }, parents: [] });
  const alice = (level: number): CedarEntity => ({ uid: { type: 'User', id: 'alice' }, attrs: { level }, parents: [{ type: 'Group', id: 'eng' }] });
  const eng: CedarEntity = { uid: { type: 'Group', id: 'eng' }, attrs: {}, parents: [] };

  it('follows a rebuilt entity index with changed attributes (new objects)', () => {
    const outcome = (entities: readonly CedarEntity[]) => decide(request(), snapshot({ entities: new EntityIndex(entities) }), policySet, settings).outcome;
    const first = [alice(5), eng, doc(true)];
    expect(outcome(first)).toBe('allow');
    expect(outcome(first)).toBe('allow');
    expect(outcome([alice(1), eng, doc(true)])).toBe('deny');
    expect(outcome([alice(5), eng, doc(false)])).toBe('deny');
    expect(outcome(first)).toBe('allow');
    // An index rebuilt from some old and some new objects: the new ones count.
    expect(outcome([first[0] as CedarEntity, eng, doc(false)])).toBe('deny');
  });

  it('reads each request overlay afresh, even from one mutated properties object', () => {
    const signals = snapshot({ entities: new EntityIndex([alice(1), eng, doc(true)]) });
    const properties: Record<string, unknown> = { level: 4 };
    const withProperties = () => decide(request({ subject: { type: 'User', id: 'alice', properties } }), signals, policySet, settings).outcome;
    expect(withProperties()).toBe('allow');
    properties['level'] = 2;
    expect(withProperties()).toBe('deny');
    properties['level'] = 7;
    expect(withProperties()).toBe('allow');
    expect(decide(request(), signals, policySet, settings).outcome).toBe('deny');
    const resourceProperties: Record<string, unknown> = { open: false };
    const withResource = () => decide(request({ subject: { type: 'User', id: 'alice', properties: { level: 3 } }, resource: { type: 'App', id: 'wiki', properties: resourceProperties } }), signals, policySet, settings).outcome;
    expect(withResource()).toBe('deny');
    resourceProperties['open'] = true;
    expect(withResource()).toBe('allow');
  });
});
