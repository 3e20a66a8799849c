// Schema-less value JSON, checked against cedar-wasm: for each context, whether Cedar accepts it
// and, if so, what a probe expression says about the value we built.
import { isAuthorized, type Context } from '@cedar-policy/cedar-wasm/nodejs';
import { describe, expect, it } from 'vitest';
import { TenetError } from '../../../../errors.js';
import { compilePolicySet } from '../authorizer.js';
import { policyFromWasm } from '../compile/test-support.js';
import { InMemoryEntityGraph } from '../entity-graph.js';
import { EntityUid, RecordValue, SetValue } from '../value.js';
import { contextFromJson, entityUidFromJson, longFromJson, valueFromJson } from './cedar-value-json.js';
import { parseJsonExact } from './exact-json.js';

const principal = { type: 'User', id: 'a' };
const action = { type: 'Action', id: 'v' };
const resource = { type: 'Doc', id: 'd' };

type Outcome = 'true' | 'false' | 'error' | 'rejected';

function ours(context: unknown, expression: string): Outcome {
  let record: RecordValue;
  try {
    record = contextFromJson(context);
  } catch (error) {
    if (error instanceof TenetError) return 'rejected';
    throw error;
  }
  const set = compilePolicySet([policyFromWasm('p', `permit(principal, action, resource) when { ${expression} };`)]);
  const response = set.authorize({ principal: EntityUid.of('User', 'a'), action: EntityUid.of('Action', 'v'), resource: EntityUid.of('Doc', 'd'), context: record }, new InMemoryEntityGraph());
  if (response.errored.length > 0) return 'error';
  return response.decision === 'allow' ? 'true' : 'false';
}

function reference(context: unknown, expression: string): Outcome {
  const answer = isAuthorized({ principal, action, resource, context: context as Context, entities: [], policies: { staticPolicies: { p: `permit(principal, action, resource) when { ${expression} };` } } });
  if (answer.type === 'failure') return 'rejected';
  if (answer.response.diagnostics.errors.length > 0) return 'error';
  return answer.response.decision === 'allow' ? 'true' : 'false';
}

describe('valueFromJson agrees with cedar-wasm', () => {
  const cases: [string, unknown, string, Outcome][] = [
    ['entity escape', { x: { __entity: { type: 'User', id: 'a' } } }, 'context.x == principal', 'true'],
    ['entity escape with extra inner keys', { x: { __entity: { type: 'User', id: 'a', extra: 1 } } }, 'context.x == principal', 'true'],
    ['entity escape beside another key is a record', { x: { __entity: { type: 'User', id: 'a' }, y: 1 } }, 'context.x.y == 1 && context.x has __entity', 'true'],
    ['entity escape without id is a record', { x: { __entity: { type: 'User' } } }, 'context.x.__entity.type == "User"', 'true'],
    ['non-object entity escape is a record', { x: { __entity: 1 } }, 'context.x.__entity == 1', 'true'],
    ['{type, id} is a record without a schema', { x: { type: 'User', id: 'a' } }, 'context.x == principal', 'false'],
    ['namespaced type', { x: { __entity: { type: 'A::B', id: 'c' } } }, 'context.x == A::B::"c"', 'true'],
    ['invalid type name', { x: { __entity: { type: '1User', id: 'a' } } }, 'true', 'rejected'],
    ['reserved word in type', { x: { __entity: { type: 'A::if', id: 'a' } } }, 'true', 'rejected'],
    ['__cedar in type', { x: { __entity: { type: '__cedar::A', id: 'a' } } }, 'true', 'rejected'],
    ['whitespace in type', { x: { __entity: { type: 'A :: B', id: 'a' } } }, 'true', 'rejected'],
    ['empty type', { x: { __entity: { type: '', id: 'a' } } }, 'true', 'rejected'],
    ['keyword-like type allowed', { x: { __entity: { type: 'principal', id: 'a' } } }, 'context.x is principal', 'true'],
    ['extension arg', { x: { __extn: { fn: 'ip', arg: '10.0.0.1' } } }, 'context.x == ip("10.0.0.1")', 'true'],
    ['extension args', { x: { __extn: { fn: 'ip', args: ['10.0.0.1'] } } }, 'context.x == ip("10.0.0.1")', 'true'],
    ['extension method with args', { x: { __extn: { fn: 'offset', args: [{ __extn: { fn: 'datetime', arg: '2020-01-01' } }, { __extn: { fn: 'duration', arg: '1h' } }] } } }, 'context.x == datetime("2020-01-01T01:00:00Z")', 'true'],
    ['extension returning a bool', { x: { __extn: { fn: 'isInRange', args: [{ __extn: { fn: 'ip', arg: '1.2.3.4' } }, { __extn: { fn: 'ip', arg: '1.0.0.0/8' } }] } } }, 'context.x', 'true'],
    ['arg wins over args', { x: { __extn: { fn: 'ip', arg: '1.2.3.4', args: ['zz'] } } }, 'context.x == ip("1.2.3.4")', 'true'],
    ['bad extension string', { x: { __extn: { fn: 'ip', arg: 'zz' } } }, 'true', 'rejected'],
    ['unknown extension function', { x: { __extn: { fn: 'nope', arg: 'zz' } } }, 'true', 'rejected'],
    ['extension of wrong arity', { x: { __extn: { fn: 'isInRange', args: ['zz'] } } }, 'true', 'rejected'],
    ['extension with a non-string arg', { x: { __extn: { fn: 'ip', arg: { __extn: { fn: 'ip', arg: '1.2.3.4' } } } } }, 'true', 'rejected'],
    ['extension escape beside another key is a record', { x: { __extn: { fn: 'ip', arg: '1.2.3.4' }, z: 1 } }, 'context.x.z == 1', 'true'],
    ['extension escape without fn is a record', { x: { __extn: 1 } }, 'context.x.__extn == 1', 'true'],
    ['__expr is refused', { x: { __expr: '1' } }, 'true', 'rejected'],
    ['__expr that is not a string is a record', { x: { __expr: 1 } }, 'context.x.__expr == 1', 'true'],
    ['null', { x: null }, 'true', 'rejected'],
    ['fraction', { x: 1.5 }, 'true', 'rejected'],
    ['number beyond i64', { x: 2 ** 63 }, 'true', 'rejected'],
    ['number read through its JSON text', { x: 2 ** 62 }, 'context.x == 4611686018427388 * 1000', 'true'],
    ['negative zero', { x: -0 }, 'context.x == 0', 'true'],
    ['set with duplicates', { s: [1, 1, 2] }, 'context.s == [2, 1]', 'true'],
    ['heterogeneous set', { s: [1, 'a', [true]] }, 'context.s.contains([true])', 'true'],
    ['nested records', { r: { a: { b: [{ c: 'd' }] } } }, 'context.r.a.b.contains({c: "d"})', 'true'],
    ['unicode keys', { é: 1 }, 'context["é"] == 1', 'true'],
    ['context that is an entity', { __entity: { type: 'User', id: 'a' } }, 'true', 'rejected'],
  ];
  it.each(cases)('%s', (_name, context, expression, expected) => {
    expect(ours(context, expression)).toBe(expected);
    expect(reference(context, expression)).toBe(expected);
  });
});

describe('exact integers', () => {
  it('keeps Longs beyond 2^53 exact when read from JSON text', () => {
    const value = valueFromJson(parseJsonExact('{"max": 9223372036854775807, "min": -9223372036854775808}'), 'context');
    expect(value).toBeInstanceOf(RecordValue);
    expect((value as RecordValue).fields.get('max')).toBe(9223372036854775807n);
    expect((value as RecordValue).fields.get('min')).toBe(-9223372036854775808n);
  });
  it('refuses integers outside the Long range and non-integers', () => {
    expect(() => valueFromJson(parseJsonExact('9223372036854775808'), 'x')).toThrow(/signed 64-bit/);
    expect(() => longFromJson(1.5, 'x')).toThrow(/not an integer/);
    expect(() => longFromJson(1e21, 'x')).toThrow(/not an integer/);
    expect(longFromJson(-(2 ** 53), 'x')).toBe(-(2n ** 53n));
  });
  it('names the path of the offending value', () => {
    expect(() => contextFromJson({ a: [1, { b: null }] })).toThrow('context.a[1].b');
  });
});

describe('entityUidFromJson', () => {
  it('accepts both spellings of an entity reference', () => {
    expect(entityUidFromJson({ type: 'User', id: 'a' }, 'uid')).toBe(EntityUid.of('User', 'a'));
    expect(entityUidFromJson({ __entity: { type: 'User', id: 'a' } }, 'uid')).toBe(EntityUid.of('User', 'a'));
    expect(entityUidFromJson({ type: 'User', id: 'a', extra: true }, 'uid')).toBe(EntityUid.of('User', 'a'));
  });
  it('rejects anything else', () => {
    expect(() => entityUidFromJson('User::"a"', 'uid')).toThrow(TenetError);
    expect(() => entityUidFromJson({ type: 'User' }, 'uid')).toThrow(/entity reference/);
    expect(() => entityUidFromJson({ type: 'has', id: 'a' }, 'uid')).toThrow(/not a valid entity type/);
    expect(() => entityUidFromJson({ __expr: 'User::"a"' }, 'uid')).toThrow(/__expr/);
  });
  it('builds sets', () => {
    expect(valueFromJson([1, 2, 1], 's')).toBeInstanceOf(SetValue);
  });
});
