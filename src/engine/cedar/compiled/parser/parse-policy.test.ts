// The parser's own contract: exact Long literals, policy ids, spans, annotations, template
// detection and the shape of its errors.

import { describe, expect, it } from 'vitest';
import { TenetError } from '../../../../errors.js';
import type { Expr } from '../est.js';
import { MAX_EXPRESSION_NESTING, parsePolicySet } from './index.js';

function body(text: string): Expr {
  const [policy] = parsePolicySet(`permit(principal, action, resource) when { ${text} };`);
  return policy!.ast.conditions[0]!.body;
}

function errorOf(text: string, fileName?: string): TenetError {
  try {
    parsePolicySet(text, fileName);
  } catch (error) {
    if (error instanceof TenetError) return error;
    throw error;
  }
  throw new Error('expected a parse error');
}

describe('integer literals', () => {
  it('keeps Long literals exact beyond 2^53', () => {
    expect(body('9223372036854775807')).toEqual({ Value: 9223372036854775807n });
    expect(body('-9223372036854775808')).toEqual({ Value: -9223372036854775808n });
    expect(body('9007199254740993')).toEqual({ Value: 9007199254740993n });
  });

  it('folds only the innermost minus into a bare literal, as Cedar does', () => {
    expect(body('-1')).toEqual({ Value: -1n });
    expect(body('- 1')).toEqual({ Value: -1n });
    expect(body('--1')).toEqual({ neg: { arg: { Value: -1n } } });
    expect(body('-(1)')).toEqual({ neg: { arg: { Value: 1n } } });
    expect(body('-(-9223372036854775808)')).toEqual({ neg: { arg: { Value: -9223372036854775808n } } });
  });

  it('rejects literals outside i64', () => {
    expect(errorOf(`permit(principal, action, resource) when { 9223372036854775808 };`).issues[0]?.message).toBe('integer literal `9223372036854775808` is too large');
    expect(() => body('-9223372036854775809')).toThrow(TenetError);
  });
});

describe('policy ids', () => {
  it('numbers policies and templates together in text order, unless @id names them', () => {
    const policies = parsePolicySet(`
      permit(principal == ?principal, action, resource);
      @id("named") forbid(principal, action, resource);
      permit(principal, action, resource in ?resource);
      permit(principal, action, resource);
    `);
    expect(policies.map((policy) => [policy.id, policy.isTemplate])).toEqual([
      ['policy0', true],
      ['named', false],
      ['policy2', true],
      ['policy3', false],
    ]);
  });

  it('rejects an id used twice, including an @id that repeats a default id', () => {
    const error = errorOf('permit(principal, action, resource);\n@id("policy0") permit(principal, action, resource);', 'ids.cedar');
    expect(error.issues).toEqual([{ path: 'ids.cedar:2:1', message: 'duplicate policy id `policy0` (also used by the policy at ids.cedar:1:1)' }]);
  });
});

describe('policies', () => {
  it('records span, text and annotations of each policy', () => {
    const text = '// header\n  @advice("a \\"b\\"") @flag\n  forbid(principal, action, resource)  // why\n  ;\npermit(principal, action, resource);';
    const [first, second] = parsePolicySet(text);
    expect(first!.text).toBe('@advice("a \\"b\\"") @flag\n  forbid(principal, action, resource)  // why\n  ;');
    expect(first!.span).toEqual({ offset: 12, length: first!.text.length, line: 2, column: 3 });
    expect(first!.ast.annotations).toEqual({ advice: 'a "b"', flag: '' });
    expect(second!.span).toMatchObject({ line: 5, column: 1 });
    expect(text.slice(second!.span.offset, second!.span.offset + second!.span.length)).toBe(second!.text);
  });

  it('keeps __proto__ as an ordinary key in records and annotations', () => {
    const [policy] = parsePolicySet('@__proto__("p") permit(principal, action, resource) when { {"__proto__": 1}.__proto__ == 1 };');
    expect(Object.keys(policy!.ast.annotations)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(policy!.ast.annotations)).toBe(Object.prototype);
    const record = body('{"__proto__": 1}') as { Record: Record<string, Expr> };
    expect(Object.keys(record.Record)).toEqual(['__proto__']);
  });

  it('marks a policy with a slot in an `is … in` constraint as a template', () => {
    const [policy] = parsePolicySet('permit(principal is User in ?principal, action, resource);');
    expect(policy!.isTemplate).toBe(true);
    expect(policy!.ast.principal).toEqual({ op: 'is', entity_type: 'User', in: { slot: '?principal' } });
  });

  it('returns nothing for text without policies', () => {
    expect(parsePolicySet('  // nothing here\n')).toEqual([]);
  });
});

describe('errors', () => {
  it('reports one issue per broken policy with file:line:column, and keeps going', () => {
    const error = errorOf(
      [
        'permit(principal, action, resource) when { principal.if };',
        'permit(principal, action, resource);',
        'permit(principal, action, resource) when { "\\q" };',
        '  deny(principal, action, resource);',
      ].join('\n'),
      'app.cedar',
    );
    expect(error.code).toBe('TENET_ERR_POLICY_INVALID');
    expect(error.issues).toEqual([
      { path: 'app.cedar:1:54', message: 'this identifier is reserved and cannot be used: if' },
      { path: 'app.cedar:3:45', message: 'the input `\\q` is not a valid escape' },
      { path: 'app.cedar:4:3', message: 'invalid policy effect: deny' },
    ]);
    expect(error.message).toContain('app.cedar:1:54');
  });

  it('counts columns in code points', () => {
    expect(errorOf('permit(principal, action, resource) when { "😀" == principal.if };').issues[0]?.path).toBe('<policies>:1:61');
  });

  it('reports a missing semicolon at the end of input', () => {
    expect(errorOf('permit(principal, action, resource) when { true }').issues[0]?.message).toBe('unexpected end of input, expected `when`, `unless` or `;`');
  });

  it('reports an unterminated string', () => {
    expect(errorOf('permit(principal, action, resource) when { "abc };').issues[0]?.message).toBe('invalid token: unterminated string literal');
  });

  it('bounds nesting instead of overflowing the stack', () => {
    const deep = `${'('.repeat(MAX_EXPRESSION_NESTING + 1)}1${')'.repeat(MAX_EXPRESSION_NESTING + 1)}`;
    expect(errorOf(`permit(principal, action, resource) when { ${deep} };`).issues[0]?.message).toMatch(/nested more than/);
    const fine = `${'('.repeat(MAX_EXPRESSION_NESTING - 2)}1${')'.repeat(MAX_EXPRESSION_NESTING - 2)}`;
    expect(body(fine)).toEqual({ Value: 1n });
  });
});
