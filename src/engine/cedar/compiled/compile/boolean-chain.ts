// `a && b && c …` and `a || b || c …` compiled into one loop over the operands instead of nested
// closures (conditions are mostly such chains). Cedar evaluates `&&` left to right, each operand
// must be a bool (else a type error), and the first false stops evaluation
// (https://docs.cedarpolicy.com/policies/syntax-operators.html#operator-and); `||` likewise with
// true. Both are associative with the same evaluation order and errors — `(a && b) && c` and
// `a && (b && c)` evaluate the same operands in the same order and fail on the same one — so a
// nested chain is flattened into one list of operands.
//
// Folding keeps Cedar's order: a constant operand that does not decide (true for `&&`) is dropped
// (it is a bool, so it neither errors nor stops); a constant that decides ends the list after the
// operands before it have been evaluated; a constant that is not a bool stays and raises its type
// error when reached.
import type { Expr } from '../est.js';
import { constant, dynamic, runner, type Compiled, type Evaluate } from './env.js';
import { typeError } from './runtime-errors.js';

export type ChainOperator = '&&' | '||';

/** The operands of a chain of `operator`, flattened left to right (`expr` itself when it is not one). */
export function chainOperands(expr: Expr, operator: ChainOperator, into: Expr[] = []): Expr[] {
  const keys = Object.keys(expr);
  if (keys.length === 1 && keys[0] === operator) {
    const { left, right } = (expr as Record<string, unknown>)[operator] as { left: Expr; right: Expr };
    chainOperands(left, operator, into);
    chainOperands(right, operator, into);
  } else {
    into.push(expr);
  }
  return into;
}

/**
 * The chain over compiled operands (at least one). `&&`: true when every operand is true, false at
 * the first false; `||`: true at the first true, else false.
 */
export function compileChain(operator: ChainOperator, operands: readonly Compiled[]): Compiled {
  // `stop` is the value that decides the chain: false for `&&`, true for `||`.
  const stop = operator === '||';
  const runs: Evaluate[] = [];
  for (const operand of operands) {
    if (operand.constant && typeof operand.value === 'boolean') {
      if (operand.value !== stop) continue;
      if (runs.length === 0) return constant(stop);
      runs.push(runner(operand));
      break; // later operands are never evaluated
    }
    runs.push(runner(operand));
  }
  if (runs.length === 0) return constant(!stop);
  if (runs.length === 1) {
    const only = runs[0] as Evaluate;
    return dynamic((env) => {
      const value = only(env);
      if (typeof value !== 'boolean') throw typeError('bool', value);
      return value;
    });
  }
  return dynamic((env) => {
    for (let i = 0; i < runs.length; i++) {
      const value = (runs[i] as Evaluate)(env);
      if (typeof value !== 'boolean') throw typeError('bool', value);
      if (value === stop) return stop;
    }
    return !stop;
  });
}
