// How long and how hard the enforcement-point benchmarks load each target, from the command line:
//   (none)                 full run: connections 1 and 16, 3 rounds × 10 s per target, 3 s warm-up
//   --quick                sanity run (~1 min): 16 connections, 2 rounds × 5 s, 2 s warm-up
//   --rounds N --seconds S --connections 1,16,64 --threads T   override any of the above
//   --profile              CPU-profile the Tenet process over its measured rounds and print hot spots
export interface EnforcementPlan {
  readonly quick: boolean;
  readonly rounds: number;
  readonly seconds: number;
  readonly warmupSeconds: number;
  /** Each connection count is a separate set of rounds (wrk -c). */
  readonly connections: readonly number[];
  /** wrk -t: one load-generator thread leaves the other core to the servers. */
  readonly threads: number;
  readonly profile: boolean;
}

function value(argv: readonly string[], flag: string): string | undefined {
  const at = argv.indexOf(flag);
  if (at >= 0) return argv[at + 1];
  const inline = argv.find((arg) => arg.startsWith(`${flag}=`));
  return inline?.slice(flag.length + 1);
}

function parsePositive(flag: string, text: string): number {
  const parsed = Number(text);
  if (!Number.isSafeInteger(parsed) || parsed <= 0) throw new Error(`${flag} expects positive whole numbers, got ${JSON.stringify(text)}`);
  return parsed;
}

function positiveInteger(argv: readonly string[], flag: string, fallback: number): number {
  const text = value(argv, flag);
  return text === undefined ? fallback : parsePositive(flag, text);
}

export function planFromArgs(argv: readonly string[]): EnforcementPlan {
  const quick = argv.includes('--quick');
  const connectionsText = value(argv, '--connections');
  const connections = connectionsText === undefined ? (quick ? [16] : [1, 16]) : connectionsText.split(',').map((part) => parsePositive('--connections', part.trim()));
  const threads = positiveInteger(argv, '--threads', 1);
  if (connections.some((count) => count < threads)) throw new Error('--connections must each be at least --threads (wrk opens at least one connection per thread)');
  return {
    quick,
    rounds: positiveInteger(argv, '--rounds', quick ? 2 : 3),
    seconds: positiveInteger(argv, '--seconds', quick ? 5 : 10),
    warmupSeconds: quick ? 2 : 3,
    connections,
    threads,
    profile: argv.includes('--profile'),
  };
}

/** Upper bound on a whole run (loads plus start-up), after which everything is killed. */
export function deadlineMs(plan: EnforcementPlan, targets: number): number {
  const loadSeconds = plan.connections.length * targets * (plan.rounds * plan.seconds + plan.warmupSeconds);
  return (2 * loadSeconds + 300) * 1000;
}

export function describePlan(plan: EnforcementPlan): string {
  return `wrk -t${plan.threads}, connections ${plan.connections.join(' and ')}; per target and connection count: ${plan.warmupSeconds} s warm-up, then ${plan.rounds} rounds × ${plan.seconds} s, targets alternating (order rotated each round)`;
}
