// Timing for the Cedar evaluation benchmark (bench/cedar-section.ts): per-call latencies, and a
// probe of how fast the shared machine is running.
//
// Why not bench/in-process.ts's timeCalls: it reads the clock with process.hrtime.bigint(), which
// allocates two BigInts per call; the compiled evaluator allocates little or nothing per call, so
// the timer's garbage was most of what its timed loop allocated. performance.now() reads the same
// monotonic clock as a double without allocating: an empty call timed each way has the same p50
// (~0.06–0.07 µs here), and the loop around it costs ~125 ns per iteration instead of ~175 ns.
import { performance } from 'node:perf_hooks';
import { passesFor, type CedarPlan } from './cedar-plan.js';
import type { TimedPass } from './in-process.js';
import { seededRandom } from './generate.js';
import { summariseRound } from './stats.js';

/** Keeps results observable so no call can be optimised away. */
let sink = 0;

/** Whether `sink` holds an impossible value (read once at the end, so nothing is dead code). */
export function sinkIsImpossible(): boolean {
  return sink === Number.MIN_SAFE_INTEGER;
}

/**
 * Times `calls` calls of `run(i mod n)` one by one. `all` uses the loop's wall time for
 * decisions/s; `subset` (requests flagged in `inSubset`) uses the sum of those calls' times.
 */
export function timeCalls(calls: number, n: number, run: (i: number) => number, inSubset: readonly boolean[]): TimedPass {
  const latencies = new Float64Array(calls);
  const started = performance.now();
  for (let i = 0; i < calls; i += 1) {
    const t0 = performance.now();
    sink += run(i % n);
    latencies[i] = (performance.now() - t0) * 1000;
  }
  const wallMillis = performance.now() - started;
  const subset = latencies.filter((_, i) => inSubset[i % n] === true);
  const subsetMicros = subset.reduce((sum, micros) => sum + micros, 0);
  return { all: summariseRound(latencies, BigInt(Math.round(wallMillis * 1e6))), subset: summariseRound(subset, BigInt(Math.round(subsetMicros * 1000))) };
}

/** How fast the machine ran just now: the same two workloads every time, independent of the code under test. */
export interface ProbeResult {
  /** Map reads by string key over a small table that stays in the CPU's caches (ms). */
  readonly cpuMillis: number;
  /** Nanoseconds per step of a random pointer chase through 16 MB: memory latency, which neighbours on the host can slow. */
  readonly memoryNanos: number;
}

const PROBE_KEYS = Array.from({ length: 2_000 }, (_, i) => `probe-key-${i}`);
const CHASE_LENGTH = 4 * 1024 * 1024; // Int32 entries: 16 MB, beyond this machine's caches
const CHASE_STEPS = 100_000;
let chase: Int32Array | undefined;

/** Every index in a random order linked into one cycle, seeded: the same chase in every process. */
function chaseCycle(): Int32Array {
  const random = seededRandom(20_261_123);
  const order = new Int32Array(CHASE_LENGTH);
  for (let i = 0; i < CHASE_LENGTH; i += 1) order[i] = i;
  for (let i = CHASE_LENGTH - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * i);
    const swap = order[i] as number;
    order[i] = order[j] as number;
    order[j] = swap;
  }
  const next = new Int32Array(CHASE_LENGTH);
  for (let i = 0; i < CHASE_LENGTH; i += 1) next[order[i] as number] = order[(i + 1) % CHASE_LENGTH] as number;
  return next;
}

export function probe(): ProbeResult {
  let started = performance.now();
  const map = new Map<string, number>();
  for (let i = 0; i < PROBE_KEYS.length; i += 1) map.set(PROBE_KEYS[i] as string, i);
  let total = 0;
  for (let round = 0; round < 100; round += 1) for (let i = 0; i < PROBE_KEYS.length; i += 1) total += map.get(PROBE_KEYS[(i * 7 + round) % PROBE_KEYS.length] as string) ?? 0;
  const cpuMillis = performance.now() - started;
  chase ??= chaseCycle();
  started = performance.now();
  let at = 0;
  for (let i = 0; i < CHASE_STEPS; i += 1) at = chase[at] as number;
  const memoryNanos = ((performance.now() - started) * 1e6) / CHASE_STEPS;
  sink += total + at;
  return { cpuMillis, memoryNanos };
}

/** One thing to time: `run(i)` on request i of the cycle. */
export interface TimedVariant<V extends string> {
  readonly variant: V;
  /** Calls per pass: the first `requests` of the cycle. */
  readonly requests: number;
  /** One pass per round (cedar-wasm: a pass already takes seconds), else passes sized by the warm-up. */
  readonly onePass: boolean;
  /** Requests whose calls make up the `subset` figures. */
  readonly subset: readonly boolean[];
  readonly run: (i: number) => number;
}

export interface Measured<V extends string> {
  /** Per variant, each round's figures in round order. */
  readonly rounds: ReadonlyMap<V, readonly TimedPass[]>;
  readonly passes: ReadonlyMap<V, number>;
  /** The machine probe before each round. */
  readonly probes: readonly ProbeResult[];
  /** p50 of an empty call timed exactly as the others: the timer's own cost in every figure. */
  readonly timerFloorMicros: number;
}

/**
 * Warms every variant up for plan.warmUpMillis (at least one pass; the last pass, the warmest,
 * sizes the passes per round unless `passes` fixes them), then times plan.rounds rounds. In each
 * round every variant runs once, the order rotating from round to round so drift in the machine's
 * speed spreads over every variant; the probe runs before each round. `n` is the cycle's length.
 */
export function measure<V extends string>(
  variants: readonly TimedVariant<V>[],
  n: number,
  plan: CedarPlan,
  log: (message: string) => void,
  passes: Partial<Record<V, number>> = {},
): Measured<V> {
  const millisSince = (started: number) => performance.now() - started;
  log(`warm-up: every variant for at least ${plan.warmUpMillis} ms`);
  for (let i = 0; i < 20; i += 1) probe(); // the probe's own warm-up: its first calls run unoptimised
  const passesOf = new Map<V, number>();
  for (const v of variants) {
    const started = performance.now();
    let passMillis: number;
    do {
      const pass = performance.now();
      timeCalls(v.requests, n, v.run, v.subset);
      passMillis = millisSince(pass);
    } while (millisSince(started) < plan.warmUpMillis);
    passesOf.set(v.variant, passes[v.variant] ?? (v.onePass ? 1 : passesFor(plan, passMillis)));
  }
  const floorVariant = variants.find((v) => !v.onePass) ?? variants[0];
  const floorCalls = floorVariant === undefined ? n : floorVariant.requests * (passesOf.get(floorVariant.variant) ?? 1);
  const timerFloorMicros = timeCalls(floorCalls, n, () => 0, Array.from({ length: n }, () => true)).all.p50Micros;
  const rounds = new Map<V, TimedPass[]>(variants.map((v) => [v.variant, []]));
  const probes: ProbeResult[] = [];
  for (let round = 0; round < plan.rounds; round += 1) {
    log(`round ${round + 1} of ${plan.rounds}`);
    probes.push(probe());
    for (let k = 0; k < variants.length; k += 1) {
      const v = variants[(round + k) % variants.length] as TimedVariant<V>;
      rounds.get(v.variant)?.push(timeCalls(v.requests * (passesOf.get(v.variant) ?? 1), n, v.run, v.subset));
    }
  }
  return { rounds, passes: passesOf, probes, timerFloorMicros };
}
