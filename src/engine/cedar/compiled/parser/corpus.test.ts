// Hand-written corner cases of Cedar's policy syntax, each checked against cedar-wasm: the ones it
// accepts must give the same EST, the ones it rejects must be rejected here too.

import * as cedar from '@cedar-policy/cedar-wasm/nodejs';
import { describe, expect, it } from 'vitest';
import { isTenetError } from '../../../../errors.js';
import { parsePolicySet } from './index.js';
import { cedarParse, oursAsJson } from './test-support/cedar-reference.js';

const when = (body: string): string => `permit(principal, action, resource) when { ${body} };`;

const ACCEPTED: readonly string[] = [
  // integer literals and negation folding
  when('-1 == - 1'),
  when('--1 == -(1)'),
  when('---1 == ----1'),
  when('-1.foo'),
  when('1 - -1 == 1--1'),
  when('- -1'),
  when('01 == 1'),
  when('-9007199254740991 < 9007199254740991'),
  when('!!!!true'),
  when('!principal.a || principal.b && principal.c'),
  // precedence and associativity
  when('1 + 2 * 3 - 4 * -5 == 6 && 1 - 2 - 3 < 4 || 5 * 6 * 7 >= 8'),
  when('principal.x * principal.y + 1'),
  when('true || false && true || false'),
  when('(1 < 2) == true'),
  when('if true then if false then 1 else 2 else 3 + 4'),
  when('[if true then 1 else 2, {a: if false then "x" else "y"}]'),
  when('((((((((((1))))))))))'),
  when('[[[[[[[[[[]]]]]]]]]]'),
  // member access, has, like, is
  when('principal["if"]["then"].a.principal'),
  when('principal.permit && principal.when && principal.__cedar_x && principal._'),
  when('principal has a && principal has a.b.c && principal has "if" && principal has principal'),
  when('principal.a.b has c'),
  when('principal has "a b"'),
  when('"x" like "a**b*\\\\\\*\\x41\\u{2a}"'),
  when('"x" like ""'),
  when('"x" like "😀*中"'),
  when('principal is A::B in Group::"g" && resource is principal && context is permit'),
  when('principal is A in [B::"c"]'),
  when('principal is A in 1 + 1'),
  // literals: strings, escapes, Unicode, entities
  when('"\\n\\r\\t\\\\\\0\\\'\\"" == "\\x00\\x7F\\x7f\\u{0}\\u{1F600}\\u{1_F600}\\u{10FFFF}\\u{a_b_c_d}\\u{1F600_}"'),
  when('"raw\ttab\nnewline é 中 😀 \u2028" == "// not a comment"'),
  when('A::B::C::"id" == permit::"x" && principal::"x" == context::"\\u{0}"'),
  when('User :: "a" == __cedarx::"y"'),
  when('{a: 1, "b c": 2, principal: 3, permit: 4, "if": 5, "": 6}'),
  when('{"__proto__": 1, constructor: 2}'),
  when('{}.a'),
  when('[1, 2,] == [1] && {a: 1,}.a == 1 && ip("1.2.3.4",) == ip("1.2.3.4")'),
  // calls
  when('[1].contains(1) && [1].containsAll([1]) && [1].containsAny([]) && [].isEmpty()'),
  when('principal.getTag("a") == principal.hasTag("b")'),
  when('ip("1.2.3.4").isIpv4() && ip("::1").isIpv6() && ip("1.2.3.4").isLoopback() && ip("1.2.3.4").isMulticast()'),
  when('ip("1.2.3.4").isInRange(ip("1.0.0.0/8")) && ip() == ip("a", "b")'),
  when('decimal("1.0").lessThan(decimal("2.0")) && decimal("1").greaterThanOrEqual(decimal("2")) && decimal("1").lessThan()'),
  when('datetime("2020-01-01").offset(duration("1h")).toDate() == datetime("x").toTime()'),
  when('duration("1h").toDays() + duration("1h").toHours() + duration("1h").toMinutes() + duration("1h").toSeconds() + duration("1h").toMilliseconds()'),
  when('datetime("x").durationSince(datetime("y")) == unknown("u")'),
  when('principal.contains && principal.isEmpty && principal.getTag'),
  when('principal.offset(1, 2, 3)'),
  // scope
  'permit(principal, action, resource);',
  'forbid (principal == A::"a", action == Action::"x", resource in B::"b");',
  'permit(principal in A::"a" , action in [], resource is B in B::"x",);',
  'permit(principal, action in [Action::"a"], resource);',
  'permit(principal, action in [Action::"a", B::Action::"b", Action::"a"], resource);',
  'permit(principal == (A::"a"), action in ([Action::"a"]), resource);',
  'permit(principal == ?principal, action, resource in ?resource);',
  'permit(principal is A in ?principal, action, resource is B in (?resource));',
  // conditions, annotations, comments, layout
  'permit(principal, action, resource) unless { false } when { true } when { principal };',
  '@id("x") @foo @bar("a\\nb\\u{1F600}\\x41") @if("x") @true @__cedar permit(principal, action, resource);',
  '@__proto__("p") permit(principal, action, resource);',
  'permit(principal,action,resource)when{true};//c',
  '// leading comment\npermit // a\n( // b\nprincipal // c\n, action, resource) // d\nwhen // e\n{ // f\n1 // g\n+ // h\n2 == 3 } // i\n; // j',
  'permit(principal,action,resource)//x\r;',
  'permit(\u00a0principal,\u2003action,\u3000resource\u0085)\u2028;',
  'permit(principal, action, resource) when { 1 }; permit(principal, action, resource) when { 2 };',
  '',
  '   // only a comment',
];

const REJECTED: readonly string[] = [
  // integer literals
  when('9223372036854775808'),
  when('-9223372036854775809'),
  when('99999999999999999999999'),
  when('-9223372036854775808.foo'),
  when('1a'),
  // unary limits and mixing
  when('!!!!!true'),
  when('-----1'),
  when('!-1'),
  when('-!true'),
  // relations are non-associative; has/like/is end a relation
  when('1 < 2 < 3'),
  when('1 == 2 == 3'),
  when('1 in 2 in 3'),
  when('principal is A == true'),
  when('principal like "a" == true'),
  when('principal has x == true'),
  when('true == principal has x'),
  when('principal = 1'),
  when('1 / 2'),
  when('1 % 2'),
  when('1 + if true then 1 else 2'),
  when('true || if true then 1 else 2'),
  // reserved words and names
  when('principal.if'),
  when('principal.true'),
  when('principal.in'),
  when('principal.then'),
  when('principal.__cedar'),
  when('principal has if'),
  when('principal has a.in'),
  when('principal has __cedar'),
  when('{if: 1}'),
  when('{true: 1}'),
  when('{__cedar: 1}'),
  when('A::if::"a"'),
  when('in::"x"'),
  when('__cedar::A::"x"'),
  when('A::__cedar::"x"'),
  when('principal is then'),
  when('principal is __cedar'),
  when('a'),
  when('A::B'),
  when('A::{a: "b"}'),
  // operands that must be literals or names
  when('principal has "a".b'),
  when('principal has a["b"]'),
  when('principal has a::b'),
  when('principal has (a)'),
  when('principal has a + 1'),
  when('principal has 1'),
  when('principal is A::B::"x"'),
  when('principal is "A"'),
  when('"x" like ("a")'),
  when('"x" like "a" + "b"'),
  when('principal[principal]'),
  when('principal["a" + "b"]'),
  when('principal.a[("b")]'),
  when('{1: 2}'),
  when('{a::b: 1}'),
  when('{"a": 1, a: 2}'),
  when('{"a": 1, "\\x61": 2}'),
  when('[,]'),
  // calls
  when('[1].contains(1, 2)'),
  when('[1].isEmpty(1)'),
  when('principal.getTag()'),
  when('principal.foo()'),
  when('foo(1)'),
  when('principal.ip("x")'),
  when('isIpv4(ip("1.1.1.1"))'),
  when('contains([1], 1)'),
  when('(principal.contains)(1)'),
  when('ipaddr::ip("x")'),
  // escapes
  when('"\\a"'),
  when('"\\*"'),
  when('"x" like "\\*\\a"'),
  when('"\\x80"'),
  when('"\\x4"'),
  when('"\\xAz"'),
  when('"\\u{_1}"'),
  when('"\\u{0000001}"'),
  when('"\\u{110000}"'),
  when('"\\u{D800}"'),
  when('"\\u{}"'),
  when('"\\u1234"'),
  when('"\\u{12"'),
  when('"a\rb"'),
  when('"a\\\nb"'),
  when('"unterminated'),
  '@a("\\*") permit(principal, action, resource);',
  // lexical
  when('principal.é'),
  when('principal #'),
  when('1 /* block comments do not exist */'),
  when('principal\u200b'),
  when('\ufeffprincipal'),
  // slots
  'permit(principal in ?resource, action, resource);',
  'permit(principal == ?foo, action, resource);',
  'permit(principal, action, resource) when { ?principal == principal };',
  'permit(principal, action in ?principal, resource);',
  'permit(principal, action == ?principal, resource);',
  'permit(principal, action, resource == ?principal);',
  // scope shape
  'permit(principal, action == [Action::"a"], resource);',
  'permit(principal, action, resource, context);',
  'permit(principal, action);',
  'permit(action, principal, resource);',
  'permit();',
  'permit(principal: User, action, resource);',
  'permit(principal in [A::"a"], action, resource);',
  'permit(principal == principal, action, resource);',
  'permit(principal is A::"b", action, resource);',
  'permit(principal is (A), action, resource);',
  'permit(principal, action is Action, resource);',
  'permit(principal, action, resource is A == B::"x");',
  'permit(principal == A::"a" + 1, action, resource);',
  'permit(principal = A::"a", action, resource);',
  'permit(principal != A::"a", action, resource);',
  'permit(principal, action == User::"a", resource);',
  'permit(principal, action in [User::"a", Action::"b"], resource);',
  'permit(principal, action in [Action::"a", 1], resource);',
  // policy shape
  'permit(principal, action, resource)',
  'permit(principal, action, resource) when { true }',
  'permit(principal, action, resource) when {};',
  'permit(principal, action, resource) when true;',
  'permit(principal, action, resource) foo { true };',
  'permit(principal, action, resource) When { true };',
  'deny(principal, action, resource);',
  'permit(principal, action, resource);;',
  '@a("1") @a("2") permit(principal, action, resource);',
  '@a::b("x") permit(principal, action, resource);',
  '@a(x) permit(principal, action, resource);',
  '@a("x") ;',
];

function cedarRejects(text: string): boolean {
  return cedar.checkParsePolicySet({ staticPolicies: text }).type === 'failure' && cedar.policySetTextToParts(text).type === 'failure';
}

function rejectionOf(text: string): unknown {
  try {
    parsePolicySet(text, 'case.cedar');
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('parser corpus against cedar-wasm', () => {
  it.each(ACCEPTED.map((text) => [text]))('accepts %j as cedar-wasm does', (text) => {
    const reference = cedarParse(text);
    expect(reference.ok, reference.ok ? '' : reference.message).toBe(true);
    if (!reference.ok) return;
    const ours = parsePolicySet(text);
    expect(ours.filter((policy) => !policy.isTemplate).map(oursAsJson)).toEqual(reference.policies);
    expect(ours.filter((policy) => policy.isTemplate).map(oursAsJson)).toEqual(reference.templates);
  });

  it.each(REJECTED.map((text) => [text]))('rejects %j as cedar-wasm does', (text) => {
    expect(cedarRejects(text)).toBe(true);
    const error = rejectionOf(text);
    expect(isTenetError(error) && error.code === 'TENET_ERR_POLICY_INVALID', String(error)).toBe(true);
  });
});
