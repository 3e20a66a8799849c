// Named cases for the Cedar 4 rules this module implements — each the answer cedar-wasm gives
// (checked here against cedar-wasm itself), many of them disagreements the differential tests
// found and we fixed. `accept` is the expected outcome for both implementations.
import { checkParseContext, checkParseEntities, isAuthorized, type Context, type Entities } from '@cedar-policy/cedar-wasm/nodejs';
import { describe, expect, it } from 'vitest';
import { EntityUid } from '../value.js';
import { loadSchema } from './load-schema.js';
import { parseContextWithSchema } from './parse-context.js';
import { parseEntitiesWithSchema } from './parse-entities.js';

const SCHEMA = `
namespace NS {
  type Addr = { street: String, zip?: Long };
  entity Org;
  entity Group in [Org];
  entity User in [Group] {
    name: String, age?: Long, addr?: Addr, ip?: ipaddr, d?: decimal, dt?: datetime, du?: duration,
    friends?: Set<User>, col?: Color, flag?: Bool, raw?: { __entity: String }
  } tags String;
  entity Color enum ["Red", "Blue"];
  entity Doc;
  entity Node in [Node];
  action view appliesTo { principal: [User], resource: [Doc], context: { ip: ipaddr, n?: Long, r?: { a: Long }, who?: User } };
  action c; action b in [c]; action a in [b];
}`;
const schema = loadSchema(SCHEMA);
const user = (attrs: Record<string, unknown>, extra: Record<string, unknown> = {}): unknown[] => [{ uid: { type: 'NS::User', id: 'u' }, attrs: { name: 'n', ...attrs }, parents: [], ...extra }];
const action = (id: string): { type: string; id: string } => ({ type: 'NS::Action', id });

const ENTITY_CASES: readonly { name: string; entities: unknown; accept: boolean }[] = [
  { name: 'entity ref in an Entity-typed attribute may omit __entity', entities: user({ friends: [{ type: 'NS::User', id: 'b' }] }), accept: true },
  { name: '__entity with extra keys is still an entity ref', entities: user({ friends: [{ __entity: { type: 'NS::User', id: 'b' }, extra: 1 }] }), accept: true },
  { name: 'entity ref of another type is a type mismatch', entities: user({ friends: [{ type: 'NS::Group', id: 'b' }] }), accept: false },
  { name: 'entity id must be a string', entities: user({ friends: [{ type: 'NS::User', id: 1 }] }), accept: false },
  { name: 'entity type name must be normalized', entities: [{ uid: { type: 'NS:: Doc', id: 'a' }, attrs: {}, parents: [] }], accept: false },
  { name: 'ipaddr as a plain string (implicit constructor)', entities: user({ ip: '10.0.0.1' }), accept: true },
  { name: 'ipaddr as {fn, arg} without __extn', entities: user({ ip: { fn: 'ip', arg: '10.0.0.1' } }), accept: true },
  { name: 'ipaddr with the args form', entities: user({ ip: { __extn: { fn: 'ip', args: ['10.0.0.1'] } } }), accept: true },
  { name: 'invalid ip string', entities: user({ ip: '10.0.0.x' }), accept: false },
  { name: 'decimal given for an ipaddr attribute', entities: user({ ip: { __extn: { fn: 'decimal', arg: '1.0' } } }), accept: false },
  { name: 'a number for a decimal (constructors take strings)', entities: user({ d: 1 }), accept: false },
  { name: '__extn may call any extension function: toDate gives a datetime', entities: user({ dt: { __extn: { fn: 'toDate', arg: { __extn: { fn: 'datetime', arg: '2024-01-01T10:00:00Z' } } } } }), accept: true },
  { name: '__extn calling isIpv4 gives a bool, not an ipaddr', entities: user({ ip: { __extn: { fn: 'isIpv4', arg: { __extn: { fn: 'ip', arg: '1.2.3.4' } } } } }), accept: false },
  { name: '__extn calling isIpv4 gives a bool, fine for a Bool attribute', entities: user({ flag: { __extn: { fn: 'isIpv4', arg: { __extn: { fn: 'ip', arg: '1.2.3.4' } } } } }), accept: true },
  { name: 'unknown extension function', entities: user({ ip: { __extn: { fn: 'nope', arg: '1.2.3.4' } } }), accept: false },
  { name: '__expr is no longer supported', entities: user({ name: { __expr: '"x"' } }), accept: false },
  { name: 'datetime and duration as strings', entities: user({ dt: '2024-01-01', du: '1h30m' }), accept: true },
  { name: 'missing required attribute', entities: [{ uid: { type: 'NS::User', id: 'u' }, attrs: {}, parents: [] }], accept: false },
  { name: 'undeclared attribute', entities: user({ zzz: 1 }), accept: false },
  { name: 'nested record: undeclared attribute', entities: user({ addr: { street: 's', x: 1 } }), accept: false },
  { name: 'nested record: missing required attribute', entities: user({ addr: {} }), accept: false },
  { name: 'common type record resolves', entities: user({ addr: { street: 's', zip: 12 } }), accept: true },
  { name: 'a record attribute named __entity is just an attribute', entities: user({ raw: { __entity: 'x' } }), accept: true },
  { name: 'Long as a string', entities: user({ age: '1' }), accept: false },
  { name: 'Long as a fraction', entities: user({ age: 1.5 }), accept: false },
  { name: 'Long 2^53 + 2 (a JS number) is accepted', entities: user({ age: 2 ** 53 + 2 }), accept: true },
  { name: '-(2^63) as a JS number prints below i64 and is rejected', entities: user({ age: -(2 ** 63) }), accept: false },
  { name: 'null is never a value', entities: user({ age: null }), accept: false },
  { name: 'enum id in an attribute must be declared', entities: user({ col: { type: 'NS::Color', id: 'Green' } }), accept: false },
  { name: 'enum id in an attribute', entities: user({ col: { type: 'NS::Color', id: 'Red' } }), accept: true },
  { name: 'enum entity with a declared id', entities: [{ uid: { type: 'NS::Color', id: 'Red' }, attrs: {}, parents: [] }], accept: true },
  { name: 'enum entity with an undeclared id', entities: [{ uid: { type: 'NS::Color', id: 'Green' }, attrs: {}, parents: [] }], accept: false },
  { name: 'enum entity with attributes', entities: [{ uid: { type: 'NS::Color', id: 'Red' }, attrs: { x: 1 }, parents: [] }], accept: false },
  { name: 'enum entity with tags', entities: [{ uid: { type: 'NS::Color', id: 'Red' }, attrs: {}, parents: [], tags: { x: 'y' } }], accept: false },
  { name: 'tags of the declared type', entities: user({}, { tags: { a: 'x' } }), accept: true },
  { name: 'tags of another type', entities: user({}, { tags: { a: 1 } }), accept: false },
  { name: 'empty tags on a type without tags', entities: [{ uid: { type: 'NS::Doc', id: 'd' }, attrs: {}, parents: [], tags: {} }], accept: true },
  { name: 'a tag on a type without tags', entities: [{ uid: { type: 'NS::Doc', id: 'd' }, attrs: {}, parents: [], tags: { a: 'x' } }], accept: false },
  { name: 'parent of a memberOfTypes type', entities: user({}, { parents: [{ type: 'NS::Group', id: 'g' }] }), accept: true },
  { name: 'parent types are allowed transitively (User in Group in Org)', entities: user({}, { parents: [{ __entity: { type: 'NS::Org', id: 'o' } }] }), accept: true },
  { name: 'parent of a type not in memberOfTypes', entities: user({}, { parents: [{ type: 'NS::Doc', id: 'd' }] }), accept: false },
  { name: 'parent of an undeclared type', entities: user({}, { parents: [{ type: 'Zzz', id: 'd' }] }), accept: false },
  { name: 'self-parent is a cycle', entities: [{ uid: { type: 'NS::Node', id: 'x' }, attrs: {}, parents: [{ type: 'NS::Node', id: 'x' }] }], accept: false },
  {
    name: 'two-entity cycle',
    entities: [
      { uid: { type: 'NS::Node', id: 'x' }, attrs: {}, parents: [{ type: 'NS::Node', id: 'y' }] },
      { uid: { type: 'NS::Node', id: 'y' }, attrs: {}, parents: [{ type: 'NS::Node', id: 'x' }] },
    ],
    accept: false,
  },
  { name: 'a parent that is not listed is fine', entities: [{ uid: { type: 'NS::Node', id: 'x' }, attrs: {}, parents: [{ type: 'NS::Node', id: 'y' }] }], accept: true },
  { name: 'undeclared entity type', entities: [{ uid: { type: 'Nope', id: 'a' }, attrs: {}, parents: [] }], accept: false },
  { name: 'attrs is required', entities: [{ uid: { type: 'NS::Doc', id: 'a' }, parents: [] }], accept: false },
  { name: 'parents is required', entities: [{ uid: { type: 'NS::Doc', id: 'a' }, attrs: {} }], accept: false },
  { name: 'unknown entity fields are ignored', entities: [{ uid: { type: 'NS::Doc', id: 'a' }, attrs: {}, parents: [], foo: 1 }], accept: true },
  { name: 'uid as a string is not an entity ref', entities: [{ uid: 'NS::Doc::"a"', attrs: {}, parents: [] }], accept: false },
  {
    name: 'the same entity listed twice, identically',
    entities: [
      { uid: { type: 'NS::Doc', id: 'a' }, attrs: {}, parents: [] },
      { uid: { __entity: { type: 'NS::Doc', id: 'a' } }, attrs: {}, parents: [] },
    ],
    accept: true,
  },
  { name: 'the same entity listed twice, differently', entities: [...user({ age: 1 }), ...user({ age: 2 })], accept: false },
  { name: 'action entity listing the transitive closure of memberOf', entities: [{ uid: action('a'), attrs: {}, parents: [action('b'), action('c')] }], accept: true },
  { name: 'action entity listing only its direct memberOf', entities: [{ uid: action('a'), attrs: {}, parents: [action('b')] }], accept: false },
  { name: 'action entity not declared', entities: [{ uid: action('zzz'), attrs: {}, parents: [] }], accept: false },
  { name: 'action entity with attributes', entities: [{ uid: action('c'), attrs: { x: 1 }, parents: [] }], accept: false },
  { name: 'entities must be a list', entities: {}, accept: false },
];

describe('entity JSON with a schema: Cedar 4 rules', () => {
  it.each(ENTITY_CASES)('$name', ({ entities, accept }) => {
    expect(checkParseEntities({ entities: entities as Entities, schema: SCHEMA }).type).toBe(accept ? 'success' : 'failure');
    const ours = (): unknown => parseEntitiesWithSchema(entities, schema);
    if (accept) expect(ours).not.toThrow();
    else expect(ours).toThrow(expect.objectContaining({ code: 'TENET_ERR_REQUEST_INVALID' }));
  });

  it('accepts bigint Longs (our JSON reader yields them) over the whole i64 range, and nothing beyond', () => {
    const [parsed] = parseEntitiesWithSchema(user({ age: -(2n ** 63n) }), schema);
    expect(parsed?.attrs.get('age')).toBe(-(2n ** 63n));
    expect(parseEntitiesWithSchema(user({ age: 2n ** 63n - 1n }), schema)[0]?.attrs.get('age')).toBe(2n ** 63n - 1n);
    expect(() => parseEntitiesWithSchema(user({ age: 2n ** 63n }), schema)).toThrow(/64-bit/);
    expect(parseEntitiesWithSchema(user({ age: 5n }), schema)[0]?.attrs.get('age')).toBe(parseEntitiesWithSchema(user({ age: 5 }), schema)[0]?.attrs.get('age'));
  });

  it('leaves action entities out of the result (actionEntities supplies them)', () => {
    const parsed = parseEntitiesWithSchema([{ uid: action('a'), attrs: {}, parents: [action('b'), action('c')] }, ...user({})], schema);
    expect(parsed.map((entity) => entity.uid.key)).toEqual(['NS::User::"u"']);
  });
});

const CONTEXT_CASES: readonly { name: string; context: unknown; action?: string; accept: boolean; acceptParseOnly?: boolean }[] = [
  { name: 'a valid context', context: { ip: '1.2.3.4' }, accept: true },
  { name: 'required attribute missing (rejected even parse-only)', context: {}, accept: false, acceptParseOnly: false },
  { name: 'undeclared attribute (closed record, rejected even parse-only)', context: { ip: '1.2.3.4', z: 1 }, accept: false, acceptParseOnly: false },
  { name: 'undeclared attribute in a nested record', context: { ip: '1.2.3.4', r: { a: 1, b: 2 } }, accept: false, acceptParseOnly: false },
  { name: 'wrong leaf type: only validation sees it', context: { ip: '1.2.3.4', n: 'x' }, accept: false, acceptParseOnly: true },
  { name: 'entity of the wrong type: only validation sees it', context: { ip: '1.2.3.4', who: { type: 'NS::Doc', id: 'd' } }, accept: false, acceptParseOnly: true },
  { name: 'a non-entity where an entity is expected fails parsing', context: { ip: '1.2.3.4', who: 'u' }, accept: false, acceptParseOnly: false },
  { name: 'a bad ip string fails parsing', context: { ip: 'zz' }, accept: false, acceptParseOnly: false },
  { name: 'not a record', context: [], accept: false, acceptParseOnly: false },
  { name: 'an action without a declared context takes only {}', context: {}, action: 'a', accept: true },
  { name: 'an action without a declared context rejects attributes', context: { x: 1 }, action: 'a', accept: false, acceptParseOnly: false },
  { name: 'an undeclared action', context: {}, action: 'nope', accept: false, acceptParseOnly: false },
];

describe('context JSON with a schema: Cedar 4 rules', () => {
  it.each(CONTEXT_CASES)('$name', ({ context, action: id = 'view', accept, acceptParseOnly = accept }) => {
    expect(checkParseContext({ context: context as Context, schema: SCHEMA, action: action(id) }).type).toBe(accept ? 'success' : 'failure');
    const parseOnly = isAuthorized({
      principal: { type: 'NS::User', id: 'u' },
      action: action(id),
      resource: { type: 'NS::Doc', id: 'd' },
      context: context as Context,
      schema: SCHEMA,
      validateRequest: false,
      policies: { staticPolicies: 'permit(principal, action, resource);' },
      entities: [],
    });
    expect(parseOnly.type).toBe(acceptParseOnly ? 'success' : 'failure');
    const uid = EntityUid.of('NS::Action', id);
    if (accept) expect(() => parseContextWithSchema(context, schema, uid)).not.toThrow();
    else expect(() => parseContextWithSchema(context, schema, uid)).toThrow(expect.objectContaining({ code: 'TENET_ERR_REQUEST_INVALID' }));
    if (acceptParseOnly) expect(() => parseContextWithSchema(context, schema, uid, { validate: false })).not.toThrow();
    else expect(() => parseContextWithSchema(context, schema, uid, { validate: false })).toThrow();
  });
});
