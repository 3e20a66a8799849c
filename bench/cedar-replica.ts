// A replica of one size of the Cedar evaluation benchmark, in a fresh Node process (started by
// bench/cedar.ts after the main section, bench/cedar-section.ts): times the compiled evaluator
// alone ("compiled, scope index") on the same workload, with the same passes per round.
//
// Why replicas: the same code on the same data measured a p50 anywhere between 2.8 and 5.0 µs at
// 1,000 policies from one process to the next, while the rounds inside one process agreed far more
// closely. The evaluator's calls are bound by memory latency (each request reads its own context
// and entities), so where V8 happens to place that data, and what the host's other tenants do to
// the shared caches meanwhile, moves a whole process's figures; more rounds in one process cannot
// average that out, more processes can. The agreement with cedar-wasm was checked by the main
// section on the same requests.
// Prints one JSON line `{"report": …}` on stdout; progress goes to stderr.
import { cedarPlanFor, wasmRequestsFor } from './cedar-plan.js';
import { measure, sinkIsImpossible, type ProbeResult } from './cedar-timing.js';
import { prepareCedarWorkload } from './cedar-workload.js';
import type { TimedPass } from './in-process.js';

export interface CedarReplicaArgs {
  readonly size: number;
  readonly quick: boolean;
  readonly now: string;
  /** Which replica (1, 2, …), for progress lines. */
  readonly replica: number;
  /** Passes per round, as the main section chose them. */
  readonly passes: number;
}

export interface CedarReplicaReport {
  readonly size: number;
  readonly rounds: readonly TimedPass[];
  readonly probes: readonly ProbeResult[];
}

const args = JSON.parse(process.argv[2] ?? '{}') as CedarReplicaArgs;
const plan = cedarPlanFor(args.quick);
const { size } = args;
const log = (message: string) => console.error(`  [${size} policies, replica ${args.replica}] ${message}`);

const workload = prepareCedarWorkload(size, plan.requests, args.now);
const { compiled, graph, requests } = workload;
const n = requests.length;
const wasmRequests = Math.min(wasmRequestsFor(plan, size), n);
const measured = measure(
  [
    {
      variant: 'compiled',
      requests: n,
      onePass: false,
      subset: requests.map((_, i) => i < wasmRequests),
      run: (i) => (compiled.authorize((requests[i] as (typeof requests)[number]).compiled, graph).decision === 'allow' ? 1 : 0),
    },
  ],
  n,
  plan,
  log,
  { compiled: args.passes },
);

const report: CedarReplicaReport = { size, rounds: measured.rounds.get('compiled') ?? [], probes: measured.probes };
if (sinkIsImpossible()) console.error('unreachable');
console.log(JSON.stringify({ report }));
