// loadSchema: Cedar text and JSON load to the same model; names resolve as Cedar resolves them
// (checked against cedar-wasm by which values it accepts for an attribute); Cedar's schema errors
// become TENET_ERR_POLICY_INVALID.
import { checkParseEntities, checkParseSchema, schemaToText, type Schema, type SchemaJson } from '@cedar-policy/cedar-wasm/nodejs';
import { describe, expect, it } from 'vitest';
import { EntityUid } from '../value.js';
import { actionEntities } from './action-entities.js';
import { randomSchemaJson, seededRng } from './differential-generators.js';
import { loadSchema } from './load-schema.js';
import { parseEntitiesWithSchema } from './parse-entities.js';
import type { CedarSchema, SchemaType } from './types.js';

function describeType(type: SchemaType): unknown {
  switch (type.kind) {
    case 'Set':
      return { set: describeType(type.element) };
    case 'Record':
      return Object.fromEntries([...type.attributes].sort(([a], [b]) => a.localeCompare(b)).map(([name, a]) => [name + (a.required ? '' : '?'), describeType(a.type)]));
    case 'Entity':
    case 'Extension':
      return `${type.kind}:${type.name}`;
    default:
      return type.kind;
  }
}

/** The model as plain data, for comparing two loads. */
function snapshot(schema: CedarSchema): unknown {
  const sorted = (items: Iterable<string>): string[] => [...items].sort();
  return {
    entityTypes: sorted(schema.entityTypes.keys()).map((name) => {
      const entity = schema.entityTypes.get(name);
      return [name, entity && describeType(entity.shape), entity && sorted(entity.allowedParentTypes), entity?.tags && describeType(entity.tags), entity?.enumIds && sorted(entity.enumIds)];
    }),
    actions: sorted(schema.actions.keys()).map((key) => {
      const action = schema.actions.get(key);
      // schemaToText prints an action that applies to no resource (or no principal) without its
      // appliesTo — it can be in no valid request either way — so compare only what such an action keeps.
      if (action !== undefined && (action.principalTypes.size === 0 || action.resourceTypes.size === 0)) return [key, sorted(action.memberOf.map((uid) => uid.key))];
      return [key, action && sorted(action.memberOf.map((uid) => uid.key)), action && sorted([...action.ancestors].map((uid) => uid.key)), action && sorted(action.principalTypes), action && sorted(action.resourceTypes), action && describeType(action.context)];
    }),
  };
}

describe('loadSchema', () => {
  it('loads Cedar text and the equivalent JSON (object or text) to the same model, for 100 random schemas', () => {
    let compared = 0;
    for (let seed = 1; seed <= 100; seed += 1) {
      const json = randomSchemaJson(seededRng(30_000 + seed)) as SchemaJson<string>;
      const text = schemaToText(json);
      // Shapes given as common types have no Cedar text form; those schemas are JSON-only.
      if (text.type !== 'success') continue;
      const fromJson = snapshot(loadSchema(json));
      expect(snapshot(loadSchema(text.text)), `seed ${seed}`).toEqual(fromJson);
      expect(snapshot(loadSchema(JSON.stringify(json))), `seed ${seed}`).toEqual(fromJson);
      compared += 1;
    }
    expect(compared).toBeGreaterThan(30);
  });

  // Which of these values cedar-wasm accepts for attribute `x` tells the type `x` resolved to.
  const CANDIDATES: Readonly<Record<string, unknown>> = { long: 1, string: 's', bool: true, ip: { __extn: { fn: 'ip', arg: '1.2.3.4' } }, 'N::G': { type: 'N::G', id: 'g' }, G: { type: 'G', id: 'g' } };
  const L = { type: 'Long' };
  const S = { type: 'String' };
  const probe = (nsCommon: object, nsEntities: object, rootCommon: object, rootEntities: object, x: object): Schema => ({
    N: { commonTypes: nsCommon, entityTypes: { ...nsEntities, U: { shape: { type: 'Record', attributes: { x } } } }, actions: {} },
    '': { commonTypes: rootCommon, entityTypes: rootEntities, actions: {} },
  }) as Schema;
  const RESOLUTION_CASES: readonly { name: string; schema: Schema }[] = [
    { name: 'EntityOrCommon finds the namespace entity type', schema: probe({}, { G: {} }, {}, {}, { type: 'EntityOrCommon', name: 'G' }) },
    { name: 'EntityOrCommon prefers a common type to an entity type of the same name', schema: probe({ G: L }, { G: {} }, {}, {}, { type: 'EntityOrCommon', name: 'G' }) },
    { name: 'EntityOrCommon in the empty namespace: common before entity', schema: probe({}, {}, { G: L }, { G: {} }, { type: 'EntityOrCommon', name: 'G' }) },
    { name: 'a namespace falls back to the empty namespace common type', schema: probe({}, {}, { G: L }, {}, { type: 'G' }) },
    { name: 'Entity falls back to the empty namespace', schema: probe({}, {}, {}, { G: {} }, { type: 'Entity', name: 'G' }) },
    { name: 'a common type named ipaddr shadows the extension type', schema: probe({ ipaddr: L }, {}, {}, {}, { type: 'ipaddr' }) },
    { name: 'an empty-namespace common type named ipaddr shadows it too', schema: probe({}, {}, { ipaddr: L }, {}, { type: 'ipaddr' }) },
    { name: '{type: Extension} is never shadowed', schema: probe({ ipaddr: L }, {}, {}, {}, { type: 'Extension', name: 'ipaddr' }) },
    { name: 'an entity type named String shadows String for EntityOrCommon', schema: probe({}, { String: {} }, {}, {}, { type: 'EntityOrCommon', name: 'String' }) },
    { name: 'but not for the String keyword', schema: probe({}, { String: {} }, {}, {}, { type: 'String' }) },
    { name: '__cedar::Long is the builtin', schema: probe({}, {}, {}, {}, { type: 'EntityOrCommon', name: '__cedar::Long' }) },
    { name: 'Bool (not Boolean) is the builtin name', schema: probe({}, {}, {}, {}, { type: 'EntityOrCommon', name: 'Bool' }) },
    { name: '{type: Bool} is a common-type reference falling back to the builtin', schema: probe({}, {}, {}, {}, { type: 'Bool' }) },
    { name: 'qualified common type', schema: probe({ G: S }, {}, {}, {}, { type: 'N::G' }) },
  ];
  it.each(RESOLUTION_CASES)('resolves names as Cedar does: $name', ({ schema: input }) => {
    expect(checkParseSchema(input).type).toBe('success');
    const schema = loadSchema(input);
    const accepted = (ours: boolean): string[] =>
      Object.entries(CANDIDATES)
        .filter(([, x]) => {
          const entities = [{ uid: { type: 'N::U', id: 'u' }, attrs: { x }, parents: [] }];
          if (!ours) return checkParseEntities({ entities: entities as never, schema: input }).type === 'success';
          try {
            parseEntitiesWithSchema(entities, schema);
            return true;
          } catch {
            return false;
          }
        })
        .map(([name]) => name);
    expect(accepted(true)).toEqual(accepted(false));
  });

  it('resolves an action group of the empty namespace named from inside a namespace', () => {
    const schema = loadSchema('action g; namespace N { action a in [g]; action b in [Action::"g", a]; }');
    const parents = new Map(actionEntities(schema).map((entity) => [entity.uid.key, entity.parents.map((uid) => uid.key)]));
    expect(parents.get('N::Action::"a"')).toEqual(['Action::"g"']);
    expect(parents.get('N::Action::"b"')).toEqual(['Action::"g"', 'N::Action::"a"']);
    expect([...(schema.actions.get(EntityUid.of('N::Action', 'b').key)?.ancestors ?? [])].map((uid) => uid.key).sort()).toEqual(['Action::"g"', 'N::Action::"a"']);
  });

  it.each([
    ['Cedar text that does not parse', 'entity User { name: };'],
    ['an undeclared type', 'entity User in [Group];'],
    ['JSON that is not JSON', '{"": '],
    ['action attributes (unsupported in Cedar 4)', { '': { entityTypes: {}, actions: { a: { attributes: { x: 1 } } } } }],
    ['additionalAttributes (experimental in Cedar 4)', { '': { entityTypes: { U: { shape: { type: 'Record', attributes: {}, additionalAttributes: true } } }, actions: {} } }],
    ['a cycle among common types', { '': { commonTypes: { A: { type: 'B' }, B: { type: 'A' } }, entityTypes: {}, actions: {} } }],
    ['a cycle among actions', { '': { entityTypes: {}, actions: { a: { memberOf: [{ id: 'b' }] }, b: { memberOf: [{ id: 'a' }] } } } }],
    ['an empty enum', { '': { entityTypes: { C: { enum: [] } }, actions: {} } }],
    ['a namespace shadowing the empty namespace', { '': { entityTypes: { G: {} }, actions: {} }, N: { entityTypes: { G: {} }, actions: {} } }],
  ])('rejects %s with TENET_ERR_POLICY_INVALID', (_name, input) => {
    expect(() => loadSchema(input)).toThrow(expect.objectContaining({ code: 'TENET_ERR_POLICY_INVALID' }));
  });

  it('locates errors in Cedar text as schema:LINE:COL', () => {
    try {
      loadSchema('entity A;\nentity User in [Group];');
      expect.unreachable();
    } catch (error) {
      expect((error as { issues: { path: string }[] }).issues[0]?.path).toMatch(/^schema:2:\d+$/);
    }
  });
});
