// Operator semantics of the compiled evaluator, each case checked three ways: the expected
// outcome written here, our compiled closure, and cedar-wasm (the reference) on the same input.
import { isAuthorized, type Context, type Entities } from '@cedar-policy/cedar-wasm/nodejs';
import { describe, expect, it } from 'vitest';
import { compilePolicySet } from '../authorizer.js';
import type { ParsedPolicy } from '../est.js';
import { contextFromJson, entityGraphFromJson } from '../json/index.js';
import { EntityUid } from '../value.js';
import { parsePolicySet } from '../parser/index.js';
import { policyFromWasm } from './test-support.js';

type Outcome = 'true' | 'false' | 'error';

const principal = { type: 'User', id: 'alice' };
const action = { type: 'Action', id: 'view' };
const resource = { type: 'Doc', id: 'd1' };

const entities = [
  { uid: principal, attrs: { name: 'alice', age: 30, tags: ['a', 'b'], manager: { __entity: { type: 'User', id: 'bob' } }, nested: { inner: { deep: 1 } } }, parents: [{ type: 'Group', id: 'eng' }], tags: { level: 'high', n: 1 } },
  { uid: { type: 'User', id: 'bob' }, attrs: { name: 'bob' }, parents: [] },
  { uid: { type: 'Group', id: 'eng' }, attrs: {}, parents: [{ type: 'Group', id: 'all' }] },
  { uid: { type: 'Group', id: 'all' }, attrs: {}, parents: [{ type: 'Group', id: 'missing-parent' }] },
  { uid: action, attrs: {}, parents: [{ type: 'Action', id: 'read' }] },
  { uid: resource, attrs: { owner: { __entity: principal }, size: 10 }, parents: [{ type: 'Folder', id: 'f' }] },
];

const context = {
  n: 5,
  s: 'a*bxx',
  b: true,
  max: 9223372036854775807n,
  min: -9223372036854775808n,
  set: [1, 2, 3],
  users: [{ __entity: principal }, { __entity: { type: 'User', id: 'bob' } }],
  rec: { a: { b: 1 }, n: 2 },
  typeAndId: { type: 'User', id: 'alice' },
  ip: { __extn: { fn: 'ip', arg: '10.1.2.3' } },
  when: { __extn: { fn: 'datetime', arg: '2024-01-01' } },
};

/** cedar-wasm cannot take bigints; the two extreme Longs are only used by our side and checked by hand. */
function wasmContext(): Context {
  const { max: _max, min: _min, ...rest } = context;
  return rest as unknown as Context;
}

function ours(policy: ParsedPolicy): Outcome {
  const set = compilePolicySet([policy]);
  const response = set.authorize(
    { principal: EntityUid.of(principal.type, principal.id), action: EntityUid.of(action.type, action.id), resource: EntityUid.of(resource.type, resource.id), context: contextFromJson(context) },
    entityGraphFromJson(entities),
  );
  if (response.errored.length > 0) return 'error';
  return response.decision === 'allow' ? 'true' : 'false';
}

function reference(text: string): Outcome {
  const answer = isAuthorized({ principal, action, resource, context: wasmContext(), entities: entities as unknown as Entities, policies: { staticPolicies: { p: text } } });
  if (answer.type === 'failure') throw new Error(answer.errors.map((e) => e.message).join('; '));
  if (answer.response.diagnostics.errors.length > 0) return 'error';
  return answer.response.decision === 'allow' ? 'true' : 'false';
}

function check(expression: string, expected: Outcome, options: { wasm?: boolean; ourParser?: boolean } = {}): void {
  const text = `permit(principal, action, resource) when { ${expression} };`;
  const policy = options.ourParser === true ? { ...(parsePolicySet(text)[0] as ParsedPolicy), id: 'p' } : policyFromWasm('p', text);
  expect(ours(policy), `compiled: ${expression}`).toBe(expected);
  if (options.wasm !== false) expect(reference(text), `cedar-wasm: ${expression}`).toBe(expected);
}

const table = (cases: readonly [string, Outcome][]): void => {
  it.each(cases)('%s → %s', (expression, expected) => check(expression, expected));
};

describe('literals, variables and equality', () => {
  table([
    ['true', 'true'],
    ['false', 'false'],
    ['1 == 1', 'true'],
    ['"a" == 1', 'false'], // different types compare unequal, never an error
    ['principal == User::"alice"', 'true'],
    ['principal == User::"bob"', 'false'],
    ['action == Action::"view"', 'true'],
    ['resource.owner == principal', 'true'],
    ['[1, 2] == [2, 1, 1]', 'true'],
    ['{a: 1, b: [2]} == {b: [2], a: 1}', 'true'],
    ['{a: 1} == {a: 1, b: 2}', 'false'],
    ['context.typeAndId == principal', 'false'], // schema-less {type, id} is a record
    ['context.typeAndId.id == "alice"', 'true'],
    ['1 != 2', 'true'],
    ['principal != principal', 'false'],
    ['ip("10.0.0.1") == ip("10.0.0.1/32")', 'true'],
    ['decimal("1.0") == decimal("1.00")', 'true'],
    ['context.ip == ip("10.1.2.3")', 'true'],
  ]);
});

describe('boolean operators', () => {
  table([
    ['!false', 'true'],
    ['!1', 'error'],
    ['true && true', 'true'],
    ['false && principal.nope', 'false'], // short-circuit: the right side is never evaluated
    ['true || principal.nope', 'true'],
    ['false || principal.nope', 'error'],
    ['true && principal.nope', 'error'],
    ['1 && true', 'error'],
    ['true && 1', 'error'],
    ['false || 1', 'error'],
    ['true || 1', 'true'],
    ['if true then true else principal.nope', 'true'],
    ['if false then principal.nope else true', 'true'],
    ['if context.n then true else true', 'error'],
    ['if context.b then context.n == 5 else false', 'true'],
  ]);
});

describe('Long arithmetic and ordering', () => {
  table([
    ['context.n + 1 == 6', 'true'],
    ['context.n - 10 == -5', 'true'],
    ['context.n * -3 == -15', 'true'],
    ['-context.n == -5', 'true'],
    ['"a" + 1 == 1', 'error'],
    ['1 < 2', 'true'],
    ['2 <= 2', 'true'],
    ['3 > 4', 'false'],
    ['4 >= 5', 'false'],
    ['"a" < "b"', 'error'],
    ['1 < "b"', 'error'],
    ['decimal("1.0") < decimal("2.0")', 'error'], // decimals use lessThan()
    ['decimal("1.0").lessThan(decimal("2.0"))', 'true'],
    ['datetime("2020-01-01") < datetime("2021-01-01")', 'true'],
    ['duration("1h") <= duration("2h")', 'true'],
    ['context.when > datetime("2023-12-31")', 'true'],
    ['datetime("2020-01-01") < duration("1h")', 'error'],
    ['context.n < ip("1.2.3.4")', 'error'],
  ]);

  it('overflows exactly at the 64-bit bounds (literals beyond 2^53 need our exact parser)', () => {
    check('9223372036854775807 * 2 == 0', 'error', { ourParser: true });
    check('9223372036854775807 + 1 > 0', 'error', { ourParser: true });
    check('9223372036854775806 + 1 == 9223372036854775807', 'true', { ourParser: true });
    check('(-9223372036854775807 - 1) - 1 == 0', 'error', { ourParser: true });
    check('-9223372036854775807 - 1 < 0', 'true', { ourParser: true });
    check('-9223372036854775808 < 0', 'true', { ourParser: true });
    check('-(-9223372036854775807 - 1) < 0', 'error', { ourParser: true });
    check('false && (context.n + 9223372036854775807 > 0)', 'false', { ourParser: true });
    check('true && (context.n + 9223372036854775807 > 0)', 'error', { ourParser: true });
  });

  it('overflows exactly at the 64-bit bounds (values from exact context JSON)', () => {
    check('context.max + 1 > 0', 'error', { wasm: false });
    check('context.max + 0 == context.max', 'true', { wasm: false });
    check('context.min - 1 < 0', 'error', { wasm: false });
    check('-context.min > 0', 'error', { wasm: false });
    check('context.min * -1 > 0', 'error', { wasm: false });
    check('context.max * -1 - 1 == context.min', 'true', { wasm: false });
  });

  it('folds literal overflow into an error raised only when evaluated', () => {
    const max = { Value: 9223372036854775807n };
    const overflow = { '+': { left: max, right: { Value: 1n } } };
    const base = policyFromWasm('p', 'permit(principal, action, resource);');
    const withBody = (body: object): ParsedPolicy => ({ ...base, ast: { ...base.ast, conditions: [{ kind: 'when', body: body as never }] } });
    expect(ours(withBody({ '>': { left: overflow, right: { Value: 0n } } }))).toBe('error');
    expect(ours(withBody({ '&&': { left: { Value: false }, right: { '>': { left: overflow, right: { Value: 0n } } } } }))).toBe('false');
    expect(ours(withBody({ '==': { left: { '-': { left: { neg: { arg: max } }, right: { Value: 1n } } }, right: { Value: -9223372036854775808n } } }))).toBe('true');
  });
});

describe('hierarchy: in, is', () => {
  table([
    ['principal in principal', 'true'],
    ['principal in Group::"eng"', 'true'],
    ['principal in Group::"all"', 'true'], // transitive
    ['principal in Group::"missing-parent"', 'true'], // a parent absent from the data is still an ancestor
    ['principal in Group::"other"', 'false'],
    ['User::"nobody" in User::"nobody"', 'true'], // an entity not in the data is in itself only
    ['User::"nobody" in Group::"all"', 'false'],
    ['principal in [User::"bob", Group::"eng"]', 'true'],
    ['principal in []', 'false'],
    ['principal in [User::"alice", 1]', 'error'], // every set element must be an entity
    ['principal in 1', 'error'],
    ['principal in {a: 1}', 'error'],
    ['1 in [User::"b"]', 'error'],
    ['[principal] in [principal]', 'error'],
    ['principal in context.users', 'true'],
    ['action in Action::"read"', 'true'],
    ['resource in Folder::"f"', 'true'],
    ['principal is User', 'true'],
    ['principal is Group', 'false'],
    ['1 is User', 'error'],
    ['principal is User in Group::"all"', 'true'],
    ['principal is User in [Group::"eng"]', 'true'],
    ['principal is Group in context.nope', 'false'], // `is T in x` evaluates x only when the type matches
    ['principal is User in context.nope', 'error'],
    ['principal is User in 1', 'error'],
  ]);
});

describe('attributes, has, tags', () => {
  table([
    ['principal.name == "alice"', 'true'],
    ['principal.nope == 1', 'error'],
    ['principal["name"] == "alice"', 'true'],
    ['principal.manager.name == "bob"', 'true'],
    ['User::"nobody".name == "x"', 'error'], // entity not in the data
    ['context.rec.a.b == 1', 'true'],
    ['context.rec.zz == 1', 'error'],
    ['context.n.x == 1', 'error'],
    ['principal has name', 'true'],
    ['principal has nope', 'false'],
    ['User::"nobody" has name', 'false'], // has never errors on a missing entity
    ['context has rec', 'true'],
    ['context has rec.a.b', 'true'],
    ['context has rec.a.zz', 'false'],
    ['context has zz.b', 'false'],
    ['context has n.b', 'error'], // an intermediate value that is neither record nor entity
    ['context has rec.n.b', 'error'],
    ['principal has nested.inner.deep', 'true'],
    ['principal has manager.name', 'true'],
    ['principal has manager.nope', 'false'],
    ['context.n has x', 'error'],
    ['[1] has x', 'error'],
    ['context.rec has a && context.rec.a has b', 'true'],
    ['principal.hasTag("level")', 'true'],
    ['principal.hasTag("nope")', 'false'],
    ['principal.hasTag(1)', 'error'],
    ['User::"nobody".hasTag("x")', 'false'],
    ['context.n.hasTag("x")', 'error'],
    ['principal.getTag("level") == "high"', 'true'],
    ['principal.getTag("n") + 1 == 2', 'true'],
    ['principal.getTag("nope") == 1', 'error'],
    ['User::"nobody".getTag("x") == 1', 'error'],
    ['User::"bob".getTag("x") == 1', 'error'], // entity without tags
    ['principal.hasTag("level") && principal.getTag("level") like "h*"', 'true'],
  ]);
});

describe('like', () => {
  table([
    ['"" like ""', 'true'],
    ['"abc" like "*"', 'true'],
    ['"abc" like "a*c"', 'true'],
    ['"abc" like "a*d"', 'false'],
    ['context.s like "a\\*b*"', 'true'], // escaped star matches a literal star
    ['"axbxx" like "a\\*b*"', 'false'],
    ['"a*" like "a\\*"', 'true'],
    ['"aXbYc" like "a*b*c"', 'true'],
    ['"a\\u{0}b" like "a*b"', 'true'],
    ['context.n like "5"', 'error'],
  ]);
});

describe('sets and records', () => {
  table([
    ['[1, 2, 3].contains(2)', 'true'],
    ['[1, 2, 3].contains("2")', 'false'],
    ['[principal].contains(User::"alice")', 'true'],
    ['[[1], {a: 1}].contains({a: 1})', 'true'],
    ['context.set.contains(3)', 'true'],
    ['1.contains(1)', 'error'],
    ['context.rec.contains(1)', 'error'],
    ['[1, 2, 3].containsAll([3, 1])', 'true'],
    ['[1, 2].containsAll([3, 1])', 'false'],
    ['[1].containsAll([])', 'true'],
    ['[1].containsAll(1)', 'error'],
    ['[1, 2].containsAny([5, 2])', 'true'],
    ['[1].containsAny([])', 'false'],
    ['1.containsAny([1])', 'error'],
    ['[].isEmpty()', 'true'],
    ['[1].isEmpty()', 'false'],
    ['1.isEmpty()', 'error'],
    ['[1, principal.nope].isEmpty() || true', 'error'], // set literals evaluate every element
    ['{a: principal.nope}.a == 1 || true', 'error'],
    ['{a: 1, b: context.n}.b == 5', 'true'],
    ['principal.tags.contains("b")', 'true'],
  ]);
});

describe('extension functions', () => {
  table([
    ['ip("10.1.2.3").isInRange(ip("10.0.0.0/8"))', 'true'],
    ['context.ip.isInRange(ip("192.168.0.0/16"))', 'false'],
    ['ip("not an ip").isIpv4()', 'error'],
    ['false && ip("not an ip").isIpv4()', 'false'], // a failing constant fold surfaces only when evaluated
    ['ip(context.s).isIpv4()', 'error'],
    ['"10.0.0.1".isIpv4()', 'error'],
    ['datetime("2024-01-01").offset(duration("1d")) == datetime("2024-01-02")', 'true'],
    ['duration("2h").toMinutes() == 120', 'true'],
  ]);
});

describe('policy conditions', () => {
  const run = (text: string): Outcome => ours(policyFromWasm('p', text));
  it('requires every when to be true and every unless to be false, in order', () => {
    expect(run('permit(principal, action, resource) when { true } unless { false };')).toBe('true');
    expect(run('permit(principal, action, resource) when { true } unless { true };')).toBe('false');
    expect(run('permit(principal, action, resource) when { false } when { principal.nope };')).toBe('false');
    expect(run('permit(principal, action, resource) when { true } when { principal.nope };')).toBe('error');
    expect(run('permit(principal, action, resource) unless { 1 };')).toBe('error');
    expect(run('permit(principal, action, resource) when { 1 };')).toBe('error');
    expect(run('permit(principal, action, resource) when { principal.age };')).toBe('error');
  });
});

// Attribute paths, `&&`/`||` chains, Long orderings and `when` bodies are each compiled into one
// closure with a step-by-step fallback for the error cases (attribute-path.ts, boolean-chain.ts,
// policy.ts): these cases reach every fallback and short-circuit.
describe('fused paths, chains and orderings', () => {
  table([
    ['resource.owner.name == "alice"', 'true'], // the owner is the principal: its data is already looked up
    ['resource.owner.nope == 1', 'error'],
    ['resource.owner.nested.inner.deep == 1', 'true'],
    ['resource.owner.manager.name == "bob"', 'true'],
    ['principal.manager.nope == 1', 'error'],
    ['principal.nested.inner.zz == 1', 'error'],
    ['principal.nested.inner.deep.x == 1', 'error'],
    ['principal.nested.zz.deep == 1', 'error'],
    ['action.nope == 1', 'error'],
    ['resource.size.x == 1', 'error'],
    ['context.rec.a.b.c == 1', 'error'],
    ['context.users.x == 1', 'error'],
    ['context.ip.x == 1', 'error'],
    ['{a: {b: principal}}.a.b.name == "alice"', 'true'],
    ['{a: {b: User::"bob"}}.a.b.name == "bob"', 'true'],
    ['{a: {b: User::"nobody"}}.a.b.name == "bob"', 'error'],
    ['{a: 1}.a.b == 1', 'error'],
    ['{a: 1}.b.c == 1', 'error'],
    ['true && context.b && context.n == 5 && principal.name == "alice"', 'true'],
    ['context.b && context.n && true', 'error'],
    ['context.b && false && principal.nope', 'false'],
    ['context.b && (context.n == 5 && principal.nope)', 'error'],
    ['(context.b && context.n == 4) && principal.nope', 'false'],
    ['context.b || (false || principal.nope)', 'true'],
    ['false || false || context.n', 'error'],
    ['false || context.n == 4 || context.b', 'true'],
    ['(context.n == 4 || context.n == 5) && context.b', 'true'],
    ['true && true && 1', 'error'],
    ['true && true && true', 'true'],
    ['false || false || false', 'false'],
    ['context.b && true || principal.nope', 'true'],
    ['context.n < 6', 'true'],
    ['context.n <= 5', 'true'],
    ['context.n > 5', 'false'],
    ['context.n >= 6', 'false'],
    ['6 > context.n', 'true'],
    ['5 <= context.n', 'true'],
    ['context.s < 5', 'error'],
    ['5 < context.s', 'error'],
    ['context.when < 5', 'error'],
    ['5 >= context.when', 'error'],
    ['context.nope < 5', 'error'],
    ['context.rec < 5', 'error'],
  ]);

  it('splits when bodies into steps without changing order or errors', () => {
    const run = (text: string): Outcome => ours(policyFromWasm('p', text));
    expect(run('permit(principal, action, resource) when { context.b && context.n == 5 } unless { context.n == 4 && principal.nope };')).toBe('true');
    expect(run('permit(principal, action, resource) when { context.b && false } when { principal.nope };')).toBe('false');
    expect(run('permit(principal, action, resource) when { context.b && 1 };')).toBe('error');
    expect(run('permit(principal, action, resource) when { true && false && principal.nope };')).toBe('false');
    expect(run('permit(principal, action, resource) when { context.b } unless { context.b && principal.nope };')).toBe('error');
    expect(run('permit(principal, action, resource) unless { context.b } when { principal.nope };')).toBe('false');
    expect(run('permit(principal, action, resource) when { context.b && true } unless { 1 };')).toBe('error');
  });

  it('reads attributes of a principal, action or resource that is not in the entity data as an error, like cedar-wasm', () => {
    const ghost = { type: 'User', id: 'ghost' };
    const room = { type: 'Doc', id: 'nowhere' };
    const texts = {
      principalAttr: 'permit(principal, action, resource) when { principal.name == "x" };',
      resourceAttr: 'permit(principal, action, resource) when { resource.owner.name == "x" };',
      actionAttr: 'permit(principal, action, resource) when { action.name == "x" };',
      hasOnly: 'permit(principal, action, resource) when { !(principal has name) && !(resource has owner) };',
    };
    const set = compilePolicySet(Object.entries(texts).map(([id, text]) => policyFromWasm(id, text)));
    const response = set.authorize(
      { principal: EntityUid.of(ghost.type, ghost.id), action: EntityUid.of('Action', 'nothing'), resource: EntityUid.of(room.type, room.id), context: contextFromJson({}) },
      entityGraphFromJson(entities),
    );
    const answer = isAuthorized({ principal: ghost, action: { type: 'Action', id: 'nothing' }, resource: room, context: {}, entities: entities as unknown as Entities, policies: { staticPolicies: texts } });
    if (answer.type === 'failure') throw new Error(answer.errors.map((e) => e.message).join('; '));
    expect(response.decision).toBe(answer.response.decision);
    expect(response.determining).toEqual(['hasOnly']);
    expect([...answer.response.diagnostics.reason].sort()).toEqual(['hasOnly']);
    expect(response.errored.map((e) => e.policyId)).toEqual(['actionAttr', 'principalAttr', 'resourceAttr']);
    expect(answer.response.diagnostics.errors.map((e) => e.policyId).sort()).toEqual(['actionAttr', 'principalAttr', 'resourceAttr']);
  });
});
