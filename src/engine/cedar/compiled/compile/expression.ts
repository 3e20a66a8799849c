// Compiles one EST expression into a closure over the request environment, folding whatever
// does not depend on the request at compile time (literals, constant sets and records, extension
// constructors on literals such as `ip("10.0.0.0/8")`, arithmetic on literals).
//
// Semantics follow Cedar 4.x's evaluator (https://docs.cedarpolicy.com/policies/syntax-operators.html);
// every rule below was checked against cedar-wasm (see expression.test.ts and
// authorizer.differential.test.ts). Evaluation order is Cedar's: operands left to right, `&&`,
// `||`, `if` and `is … in` short-circuit, so an error in an operand Cedar never evaluates is
// never raised here either.
import { TenetError } from '../../../../errors.js';
import type { Expr, PatternElement, SlotId, Var } from '../est.js';
import { CedarEvaluationError, EntityUid, RecordValue, SetValue, valueEquals, type Value } from '../value.js';
import { attributePath } from './attribute-path.js';
import { getAttribute, getTag, hasAttribute, hasAttributePath, hasTag } from './attributes.js';
import { chainOperands, compileChain } from './boolean-chain.js';
import { checkedAdd, checkedMultiply, checkedNegate, checkedSubtract } from './checked-arithmetic.js';
import { compareValues } from './comparison.js';
import { constant, dynamic, runner, type Compiled, type EvalEnv, type Evaluate } from './env.js';
import { extensionFunction } from './extension-call.js';
import { evaluateIn } from './hierarchy.js';
import { compileLikePattern } from './like-pattern.js';
import { valueFromLiteral } from './literal.js';
import { typeError } from './runtime-errors.js';
import { contains, containsAll, containsAny, isEmpty } from './set-operations.js';

export interface CompileContext {
  /** Entities bound to the template's slots (a template-linked policy), else empty. */
  readonly slots: Readonly<Partial<Record<SlotId, EntityUid>>>;
  /** Where the expression is, for compile-time errors (`policy "p1"`). */
  readonly where: string;
}

function asBool(value: Value): boolean {
  if (typeof value !== 'boolean') throw typeError('bool', value);
  return value;
}

function asLong(value: Value): bigint {
  if (typeof value !== 'bigint') throw typeError('long', value);
  return value;
}

function asEntity(value: Value): EntityUid {
  if (!(value instanceof EntityUid)) throw typeError('(entity of type `any_entity_type`)', value);
  return value;
}

/**
 * Folds a request-independent operation when every operand is constant. A fold that fails
 * becomes a closure raising the same error, so it surfaces only if Cedar evaluates it.
 */
function fold(operands: readonly Compiled[], apply: (values: readonly Value[]) => Value): Compiled | undefined {
  const values: Value[] = [];
  for (const operand of operands) {
    if (!operand.constant) return undefined;
    values.push(operand.value);
  }
  try {
    return constant(apply(values));
  } catch (error) {
    if (!(error instanceof CedarEvaluationError)) throw error;
    return dynamic(() => {
      throw error;
    });
  }
}

/** A request-independent unary operation. */
function pure1(operand: Compiled, apply: (a: Value) => Value): Compiled {
  const folded = fold([operand], (values) => apply(values[0] as Value));
  if (folded !== undefined) return folded;
  const run = runner(operand);
  return dynamic((env) => apply(run(env)));
}

/** A request-independent binary operation (no per-evaluation allocation on the hot path). */
function pure2(left: Compiled, right: Compiled, apply: (a: Value, b: Value) => Value): Compiled {
  const folded = fold([left, right], (values) => apply(values[0] as Value, values[1] as Value));
  if (folded !== undefined) return folded;
  const l = runner(left);
  const r = runner(right);
  return dynamic((env) => {
    const a = l(env);
    return apply(a, r(env));
  });
}

/** A request-independent operation over any number of operands (set and record literals, extension calls). */
function pureN(operands: readonly Compiled[], apply: (values: readonly Value[]) => Value): Compiled {
  const folded = fold(operands, apply);
  if (folded !== undefined) return folded;
  const runs = operands.map(runner);
  return dynamic((env) => {
    const values: Value[] = new Array<Value>(runs.length);
    for (let i = 0; i < runs.length; i++) values[i] = (runs[i] as Evaluate)(env);
    return apply(values);
  });
}

/** A binary operation that may read the entity graph, so never folded. */
function withGraph(left: Compiled, right: Compiled, apply: (a: Value, b: Value, env: EvalEnv) => Value): Compiled {
  const l = runner(left);
  const r = runner(right);
  return dynamic((env) => {
    const a = l(env);
    return apply(a, r(env), env);
  });
}

/** Values whose Cedar equality is JavaScript `===` (entity uids are interned). */
function isIdentityComparable(value: Value): boolean {
  return typeof value !== 'object' || value instanceof EntityUid;
}

function compileEquals(left: Compiled, right: Compiled): Compiled {
  if (left.constant && right.constant) return constant(valueEquals(left.value, right.value));
  // Hot path: comparing to a literal string, Long, bool or entity needs no structural equality.
  const known = right.constant ? right.value : left.constant ? left.value : undefined;
  const other = right.constant ? left : left.constant ? right : undefined;
  if (known !== undefined && other !== undefined && !other.constant && isIdentityComparable(known)) {
    const run = other.run;
    return dynamic((env) => run(env) === known);
  }
  return pure2(left, right, valueEquals);
}

function compileIf(guard: Compiled, then: Compiled, otherwise: Compiled): Compiled {
  if (guard.constant && typeof guard.value === 'boolean') return guard.value ? then : otherwise;
  const g = runner(guard);
  const t = runner(then);
  const e = runner(otherwise);
  return dynamic((env) => (asBool(g(env)) ? t(env) : e(env)));
}

function compileIs(left: Compiled, entityType: string, inExpr: Compiled | undefined): Compiled {
  const l = runner(left);
  if (inExpr === undefined) return dynamic((env) => asEntity(l(env)).type === entityType);
  // `e is T in x` is `e is T && e in x`: x is evaluated only when the type matches.
  const r = runner(inExpr);
  return dynamic((env) => {
    const entity = asEntity(l(env));
    return entity.type === entityType && evaluateIn(entity, r(env), env.graph);
  });
}

function compileLike(left: Compiled, pattern: readonly PatternElement[]): Compiled {
  const matches = compileLikePattern(pattern);
  return pure1(left, (text) => {
    if (typeof text !== 'string') throw typeError('string', text);
    return matches(text);
  });
}

/**
 * `base.path[0].path[1]…`. Steps on a constant record fold; the rest is one closure walking the
 * path (attribute-path.ts). `root` names the request variable when `base` is one.
 */
function compileGetAttributes(base: Compiled, path: readonly string[], root: Var | undefined): Compiled {
  let current = base;
  let step = 0;
  for (; step < path.length && current.constant && !(current.value instanceof EntityUid); step++) {
    const attr = path[step] as string;
    current = pure1(current, (target) => getAttribute(target, attr, EMPTY_GRAPH));
  }
  if (step === path.length) return current;
  return dynamic(attributePath(path.slice(step), step === 0 ? root : undefined, runner(current)));
}

/** Ordering against a Long literal (`context.risk.score < 50`): compares bigints directly, else falls back to compareValues for its type error. */
function compileOrdering(operator: '<' | '<=' | '>' | '>=', left: Compiled, right: Compiled): Compiled {
  const test = ORDERINGS[operator];
  const general = pure2(left, right, (a, b) => test(compareValues(a, b)));
  if (general.constant) return general;
  if (right.constant && typeof right.value === 'bigint' && !left.constant) {
    const bound = right.value;
    const l = left.run;
    switch (operator) {
      case '<':
        return dynamic((env) => {
          const value = l(env);
          return typeof value === 'bigint' ? value < bound : compareValues(value, bound) < 0;
        });
      case '<=':
        return dynamic((env) => {
          const value = l(env);
          return typeof value === 'bigint' ? value <= bound : compareValues(value, bound) <= 0;
        });
      case '>':
        return dynamic((env) => {
          const value = l(env);
          return typeof value === 'bigint' ? value > bound : compareValues(value, bound) > 0;
        });
      case '>=':
        return dynamic((env) => {
          const value = l(env);
          return typeof value === 'bigint' ? value >= bound : compareValues(value, bound) >= 0;
        });
    }
  }
  return general;
}

/** Each operator on compareValues' answer (negative, zero or positive). */
const ORDERINGS: Readonly<Record<'<' | '<=' | '>' | '>=', (order: number) => boolean>> = {
  '<': (order) => order < 0,
  '<=': (order) => order <= 0,
  '>': (order) => order > 0,
  '>=': (order) => order >= 0,
};

function compileHas(left: Compiled, attr: string | readonly string[]): Compiled {
  const l = runner(left);
  if (typeof attr === 'string') return dynamic((env) => hasAttribute(l(env), attr, env.graph));
  if (attr.length === 1) {
    const only = attr[0] as string;
    return dynamic((env) => hasAttribute(l(env), only, env.graph));
  }
  return dynamic((env) => hasAttributePath(l(env), attr, env.graph));
}

/** Used only to fold attribute reads on constant records, which never consult the graph. */
const EMPTY_GRAPH = { get: () => undefined };

const VARS: Readonly<Record<Var, Evaluate>> = {
  principal: (env) => env.principal,
  action: (env) => env.action,
  resource: (env) => env.resource,
  context: (env) => env.context,
};

type Binary = { readonly left: Expr; readonly right: Expr };

export function compileExpression(expr: Expr, context: CompileContext): Compiled {
  const keys = Object.keys(expr);
  const op = keys[0];
  if (keys.length !== 1 || op === undefined) throw malformed(context, `an expression must have exactly one key, got ${JSON.stringify(keys)}`);
  const body = (expr as Record<string, unknown>)[op];
  const sub = (child: Expr): Compiled => compileExpression(child, context);
  const binary = (): [Compiled, Compiled] => {
    const { left, right } = body as Binary;
    return [sub(left), sub(right)];
  };

  switch (op) {
    case 'Value':
      return constant(valueFromLiteral(body as never));
    case 'Var': {
      const run = VARS[body as Var];
      if (run === undefined) throw malformed(context, `unknown variable ${JSON.stringify(body)}`);
      return dynamic(run);
    }
    case 'Slot': {
      const uid = context.slots[body as SlotId];
      if (uid === undefined) throw malformed(context, `slot ${String(body)} is not linked`);
      return constant(uid);
    }
    case '!':
      return pure1(sub((body as { arg: Expr }).arg), (v) => !asBool(v));
    case 'neg':
      return pure1(sub((body as { arg: Expr }).arg), (v) => checkedNegate(asLong(v)));
    case 'isEmpty':
      return pure1(sub((body as { arg: Expr }).arg), (v) => isEmpty(v));
    case '==':
      return compileEquals(...binary());
    case '!=':
      return pure2(...binary(), (a, b) => !valueEquals(a, b));
    case '<':
    case '<=':
    case '>':
    case '>=':
      return compileOrdering(op, ...binary());
    case '+':
      return pure2(...binary(), (a, b) => checkedAdd(asLong(a), asLong(b)));
    case '-':
      return pure2(...binary(), (a, b) => checkedSubtract(asLong(a), asLong(b)));
    case '*':
      return pure2(...binary(), (a, b) => checkedMultiply(asLong(a), asLong(b)));
    case '&&':
    case '||':
      return compileChain(op, chainOperands(expr, op).map(sub));
    case 'in':
      return withGraph(...binary(), (a, b, env) => evaluateIn(a, b, env.graph));
    case 'contains':
      return pure2(...binary(), (a, b) => contains(a, b));
    case 'containsAll':
      return pure2(...binary(), (a, b) => containsAll(a, b));
    case 'containsAny':
      return pure2(...binary(), (a, b) => containsAny(a, b));
    case 'getTag':
      return withGraph(...binary(), (a, b, env) => getTag(a, b, env.graph));
    case 'hasTag':
      return withGraph(...binary(), (a, b, env) => hasTag(a, b, env.graph));
    case '.': {
      // `a.b.c` is `{'.': {left: {'.': {left: a, attr: b}}, attr: c}}`: collect the path down to its base.
      const path: string[] = [];
      let base: Expr = expr;
      for (let keys = Object.keys(base); keys.length === 1 && keys[0] === '.'; keys = Object.keys(base)) {
        const step = (base as { '.': { left: Expr; attr: string } })['.'];
        path.push(step.attr);
        base = step.left;
      }
      path.reverse();
      const root = Object.keys(base).length === 1 && 'Var' in base ? (base as { Var: Var }).Var : undefined;
      return compileGetAttributes(sub(base), path, root);
    }
    case 'has': {
      const { left, attr } = body as { left: Expr; attr: string | readonly string[] };
      if (Array.isArray(attr) && attr.length === 0) throw malformed(context, '`has` with an empty attribute path');
      return compileHas(sub(left), attr);
    }
    case 'like': {
      const { left, pattern } = body as { left: Expr; pattern: readonly PatternElement[] };
      return compileLike(sub(left), pattern);
    }
    case 'is': {
      const { left, entity_type, in: inExpr } = body as { left: Expr; entity_type: string; in?: Expr };
      return compileIs(sub(left), entity_type, inExpr === undefined ? undefined : sub(inExpr));
    }
    case 'if-then-else': {
      const branches = body as { if: Expr; then: Expr; else: Expr };
      return compileIf(sub(branches.if), sub(branches.then), sub(branches.else));
    }
    case 'Set':
      return pureN((body as readonly Expr[]).map(sub), (values) => new SetValue(values));
    case 'Record': {
      const entries = Object.entries(body as Record<string, Expr>);
      const names = entries.map(([name]) => name);
      return pureN(
        entries.map(([, child]) => sub(child)),
        (values) => new RecordValue(new Map(values.map((value, i) => [names[i] as string, value]))),
      );
    }
    default: {
      if (!Array.isArray(body)) throw malformed(context, `unknown operator \`${op}\``);
      const fn = extensionFunction(op, context.where);
      return pureN((body as readonly Expr[]).map(sub), fn);
    }
  }
}

function malformed(context: CompileContext, message: string): TenetError {
  return new TenetError('TENET_ERR_POLICY_MALFORMED', `${context.where}: ${message}`, [{ path: context.where, message }]);
}
