// Entity JSON without a schema, checked against cedar-wasm: which entity lists Cedar accepts.
import { isAuthorized, type Entities } from '@cedar-policy/cedar-wasm/nodejs';
import { describe, expect, it } from 'vitest';
import { TenetError } from '../../../../errors.js';
import { EntityUid } from '../value.js';
import { entitiesFromJson, entityGraphFromJson } from './entities-json.js';

const user = (id: string, parents: string[] = [], attrs: Record<string, unknown> = {}): Record<string, unknown> => ({ uid: { type: 'User', id }, attrs, parents: parents.map((p) => ({ type: 'User', id: p })) });

function wasmAccepts(entities: unknown): boolean {
  const answer = isAuthorized({
    principal: { type: 'User', id: 'a' },
    action: { type: 'Action', id: 'v' },
    resource: { type: 'Doc', id: 'd' },
    context: {},
    entities: entities as Entities,
    policies: { staticPolicies: 'permit(principal, action, resource);' },
  });
  return answer.type === 'success';
}

function oursAccepts(entities: unknown): boolean {
  try {
    entityGraphFromJson(entities);
    return true;
  } catch (error) {
    if (error instanceof TenetError) return false;
    throw error;
  }
}

describe('entityGraphFromJson agrees with cedar-wasm on what is accepted', () => {
  const cases: [string, unknown, boolean][] = [
    ['empty list', [], true],
    ['simple hierarchy', [user('a', ['b']), user('b')], true],
    ['missing parent entity', [user('a', ['ghost'])], true],
    ['uid in __entity form', [{ uid: { __entity: { type: 'User', id: 'a' } }, attrs: {}, parents: [{ __entity: { type: 'User', id: 'b' } }] }], true],
    ['uid with extra keys', [{ uid: { type: 'User', id: 'a', z: 1 }, attrs: {}, parents: [] }], true],
    ['unknown top-level field', [{ ...user('a'), foo: 1 }], true],
    ['tags', [{ ...user('a'), tags: { t: 1, u: { __entity: { type: 'X', id: 'y' } } } }], true],
    ['identical duplicates', [user('a', ['b'], { x: 1 }), user('a', ['b'], { x: 1 })], true],
    ['differing duplicates', [user('a', [], { x: 1 }), user('a', [], { x: 2 })], false],
    ['duplicates differing in parents', [user('a', ['p']), user('a')], false],
    ['cycle', [user('a', ['b']), user('b', ['a'])], false],
    ['self parent', [user('a', ['a'])], false],
    ['missing attrs', [{ uid: { type: 'User', id: 'a' }, parents: [] }], false],
    ['missing parents', [{ uid: { type: 'User', id: 'a' }, attrs: {} }], false],
    ['bad uid type name', [{ uid: { type: '1x', id: 'a' }, attrs: {}, parents: [] }], false],
    ['null attribute', [user('a', [], { x: null })], false],
    ['not a list', { a: 1 }, false],
  ];
  it.each(cases)('%s', (_name, entities, accepted) => {
    expect(oursAccepts(entities)).toBe(accepted);
    expect(wasmAccepts(entities)).toBe(accepted);
  });
});

describe('entitiesFromJson', () => {
  it('converts uid, attributes, tags and parents', () => {
    const [entity] = entitiesFromJson([{ ...user('a', ['g'], { n: 1, s: 'x' }), tags: { level: 'high' } }]);
    expect(entity?.uid).toBe(EntityUid.of('User', 'a'));
    expect(entity?.attrs.get('n')).toBe(1n);
    expect(entity?.tags.get('level')).toBe('high');
    expect(entity?.parents).toEqual([EntityUid.of('User', 'g')]);
  });
  it('names the path of a bad entity', () => {
    expect(() => entitiesFromJson([user('a'), user('b', [], { deep: { x: [null] } })])).toThrow('entities[1].attrs.deep.x[0]');
    expect(() => entitiesFromJson([user('a'), { uid: { type: 'User', id: 'b' }, attrs: {}, parents: 'x' }])).toThrow('entities[1].parents');
  });
});
