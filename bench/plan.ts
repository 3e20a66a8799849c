// How much the decision benchmark measures: the full run (~5 minutes) and `--quick` (< 1 minute,
// to check that everything runs). Shared by the orchestrator and the section processes.

export interface Plan {
  readonly quick: boolean;
  /** Distinct requests per policy set, cycled; each round is one pass over them. */
  readonly requests: number;
  readonly rounds: number;
  /** Calls per round and rounds for (c), whose calls take most of a second each. */
  readonly naiveCalls: number;
  readonly naiveRounds: number;
  readonly pdpSequential: number;
  readonly pdpConcurrent: number;
  readonly pdpRounds: number;
  readonly httpSeconds: number;
  readonly httpWarmupSeconds: number;
  readonly httpRounds: number;
}

export function planFor(quick: boolean): Plan {
  return quick
    ? { quick, requests: 100, rounds: 3, naiveCalls: 1, naiveRounds: 1, pdpSequential: 100, pdpConcurrent: 320, pdpRounds: 2, httpSeconds: 3, httpWarmupSeconds: 1, httpRounds: 1 }
    : { quick, requests: 1_000, rounds: 5, naiveCalls: 3, naiveRounds: 2, pdpSequential: 500, pdpConcurrent: 2_000, pdpRounds: 3, httpSeconds: 10, httpWarmupSeconds: 2, httpRounds: 3 };
}

export const POLICY_SET_SIZES = [10, 100, 1_000] as const;
/** The policy set the PDP and HTTP sections use. */
export const PDP_POLICY_SET_SIZE = 100;
export const SEED = 20_260_101;
/** Concurrent decisions in the PDP section (shows group commit). */
export const IN_FLIGHT = 32;
/** autocannon connections in the HTTP section. */
export const CONNECTIONS = 32;
