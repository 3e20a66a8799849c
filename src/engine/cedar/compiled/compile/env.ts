// What a compiled expression sees at evaluation time, and the shape of a compiled expression.
// One EvalEnv is built per authorization request and shared by every policy it evaluates.
import type { EntityData, EntityGraph, EntityUid, RecordValue, Value } from '../value.js';

export interface EvalEnv {
  readonly principal: EntityUid;
  readonly action: EntityUid;
  readonly resource: EntityUid;
  readonly context: RecordValue;
  readonly graph: EntityGraph;
  /**
   * `graph.get(principal)`, `graph.get(action)`, `graph.get(resource)`, looked up once per request
   * (the authorizer needs them for the scope index anyway) so that `principal.x` costs no lookup.
   * INVARIANT: each equals what `graph.get` answers for that uid during the request.
   */
  readonly principalData: EntityData | undefined;
  readonly actionData: EntityData | undefined;
  readonly resourceData: EntityData | undefined;
}

/** A compiled expression: returns its value or throws CedarEvaluationError. */
export type Evaluate = (env: EvalEnv) => Value;

/**
 * The compiler's intermediate result: either a value known at compile time (literal folding) or
 * a closure. INVARIANT: `constant` results never depend on the request, the entities or the order
 * in which operands are evaluated; expressions that fail at compile time are never constants
 * (they become closures that throw when, and only when, Cedar would evaluate them).
 */
export type Compiled = { readonly constant: true; readonly value: Value } | { readonly constant: false; readonly run: Evaluate };

export function constant(value: Value): Compiled {
  return { constant: true, value };
}

export function dynamic(run: Evaluate): Compiled {
  return { constant: false, run };
}

export function runner(compiled: Compiled): Evaluate {
  if (!compiled.constant) return compiled.run;
  const value = compiled.value;
  return () => value;
}
