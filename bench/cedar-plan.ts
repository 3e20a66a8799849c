// How much the Cedar evaluation benchmark (bench/cedar.ts) measures: the full run (~5 minutes on
// an idle 2-core machine) and `--quick` (to check that everything runs). Shared by the orchestrator
// and the section processes.

export interface CedarPlan {
  readonly quick: boolean;
  /** Distinct requests per policy set, cycled; the compiled evaluator decides all of them. */
  readonly requests: number;
  /** Timed rounds (after one warm-up pass); every variant runs once per round, in rotating order. */
  readonly rounds: number;
  /** Passes over the requests per round for the compiled evaluator alone (its calls take microseconds). */
  readonly compiledPasses: number;
}

export function cedarPlanFor(quick: boolean): CedarPlan {
  return quick ? { quick, requests: 200, rounds: 3, compiledPasses: 2 } : { quick, requests: 1_000, rounds: 5, compiledPasses: 5 };
}

export const CEDAR_POLICY_SET_SIZES = [10, 100, 1_000, 10_000] as const;

/**
 * Requests that cedar-wasm (alone, and inside the engine) decides per round: the first n of the
 * cycle. Bounded where a cedar-wasm call costs milliseconds (about 10 ms at 1,000 policies, 50–100
 * ms at 10,000), so the full run stays within minutes. The speed-ups compare the compiled
 * evaluator on these same requests.
 */
export function wasmRequestsFor(plan: CedarPlan, size: number): number {
  if (size >= 10_000) return plan.quick ? 10 : 50;
  if (size >= 1_000) return plan.quick ? 50 : 250;
  return plan.requests;
}

/**
 * Requests on which cedar-wasm's decision is checked against the compiled evaluator's before
 * timing: all of them, except at 10,000 policies where each cedar-wasm call takes ~0.1 s (then the
 * requests cedar-wasm is timed on).
 */
export function checkedRequestsFor(plan: CedarPlan, size: number): number {
  return size >= 10_000 ? wasmRequestsFor(plan, size) : plan.requests;
}

/**
 * Whether the engine end to end is measured at this size. Not at 10,000 policies: loadPolicySet
 * strict-validates the set with cedar-wasm and renders each policy for the version hash, which took
 * ~2 minutes per load there (two loads, one per evaluator).
 */
export function engineMeasuredAt(size: number): boolean {
  return size < 10_000;
}
