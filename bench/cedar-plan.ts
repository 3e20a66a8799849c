// How much the Cedar evaluation benchmark (bench/cedar.ts) measures: the full run (~5–8 minutes on
// the shared 2-core machine) and `--quick` (to check that everything runs, ~1–2 minutes). Shared by
// the orchestrator and the section processes.
//
// Why the compiled evaluator is timed the way it is: its calls take microseconds, and on this
// shared machine the same code measured p50s from 5.6 to 7.8 µs in short rounds (a few thousand
// calls after one warm-up pass). Its variants now warm up for a fixed time, then each round makes
// as many passes over the requests as fit in `roundMillis` (decided once from the warm-up, so every
// round makes the same calls), more rounds are timed, and the compiled evaluator alone is timed
// again in fresh processes (`replicas`), because whole processes turned out to differ more than
// rounds within one (bench/cedar-replica.ts). The report gives medians over all rounds with the
// spread of round p50s and of process medians.

export interface CedarPlan {
  readonly quick: boolean;
  /** Distinct requests per policy set, cycled; the compiled evaluator decides all of them. */
  readonly requests: number;
  /** Timed rounds after the warm-up; every variant runs once per round, in rotating order. */
  readonly rounds: number;
  /** Warm-up per variant: passes over its requests until this much time has gone (at least one pass). */
  readonly warmUpMillis: number;
  /**
   * For the variants whose calls take microseconds (the compiled evaluator, alone and in the
   * engine): the passes per round are chosen so a round lasts about this long, between 1 and
   * `maxPasses`. cedar-wasm's variants make one pass per round (a pass already takes seconds).
   */
  readonly roundMillis: number;
  readonly maxPasses: number;
  /**
   * Extra fresh processes per size that time the compiled evaluator alone again (bench/cedar-replica.ts
   * says why); its figures are the medians over the rounds of all of them.
   */
  readonly replicas: number;
}

export function cedarPlanFor(quick: boolean): CedarPlan {
  return quick
    ? { quick, requests: 200, rounds: 5, warmUpMillis: 300, roundMillis: 100, maxPasses: 50, replicas: 1 }
    : { quick, requests: 1_000, rounds: 9, warmUpMillis: 1_500, roundMillis: 400, maxPasses: 50, replicas: 3 };
}

/** Passes per round for a variant whose warm-up pass took `passMillis`. */
export function passesFor(plan: CedarPlan, passMillis: number): number {
  if (!(passMillis > 0)) return plan.maxPasses;
  return Math.max(1, Math.min(plan.maxPasses, Math.round(plan.roundMillis / passMillis)));
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
