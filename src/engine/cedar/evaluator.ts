// The seam between the trust algorithm and a Cedar evaluator. cedar-wasm (the reference
// implementation) sits behind it today; a compiled JS evaluator can replace it, with cedar-wasm
// kept as the oracle in differential tests.
import type { CedarEntity, CedarJsonValue } from '../signals.js';
import type { EntityRef } from '../tuple.js';

/**
 * One evaluation. The JSON it carries (context values, entity objects, the entity list) must not
 * be mutated once handed to an evaluator: the compiled one caches conversions by object identity,
 * so a changed entity must be a new object (as a rebuilt signals index and each request's overlay
 * are).
 */
export interface EvaluationCall {
  readonly principal: EntityRef;
  readonly action: EntityRef;
  readonly resource: EntityRef;
  readonly context: Readonly<Record<string, CedarJsonValue>>;
  readonly entities: readonly CedarEntity[];
  /** The scope slice to evaluate: ids from the evaluator's policy set, sorted. */
  readonly policyIds: readonly string[];
}

export interface EvaluationResult {
  readonly decision: 'allow' | 'deny';
  /** Satisfied permits when allowed, satisfied forbids when denied (Cedar's `reason`). */
  readonly determining: readonly string[];
  readonly errored: readonly { readonly policyId: string; readonly message: string }[];
}

/** Evaluates a slice of one loaded policy set. Throws when the evaluator itself fails (the engine then denies). */
export interface PolicyEvaluator {
  evaluate(call: EvaluationCall): EvaluationResult;
}
