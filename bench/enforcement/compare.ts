// Loads several targets side by side in one run and prints them with the ratios between them. Per
// connection count: a warm-up run per target (discarded), then rounds in which every target is
// loaded once, the order rotated each round so that a burst of load from other work on the shared
// machine does not always land on the same target. Figures are medians over rounds.
import { fmt, ratio, table } from '../stats.js';
import type { EnforcementPlan } from './plan.js';
import { isValid, runWrk, summarise, type LoadTarget, type WrkRun, type WrkSummary } from './wrk.js';

export interface Measured {
  readonly target: LoadTarget;
  readonly summary: WrkSummary;
}

export interface Comparison {
  readonly connections: number;
  /** In the order of the targets given. */
  readonly results: readonly Measured[];
}

export interface MeasureHooks {
  /** Called just before the first measured round of a connection count (after warm-up). */
  beforeRounds?(connections: number): Promise<void>;
  /** Called just after the last measured round of a connection count. */
  afterRounds?(connections: number): Promise<void>;
}

/** Round `round` loads the targets starting at index `round % n`: each target takes each position in turn. */
export function rotated<T>(items: readonly T[], round: number): T[] {
  const start = round % items.length;
  return [...items.slice(start), ...items.slice(0, start)];
}

export async function measure(targets: readonly LoadTarget[], plan: EnforcementPlan, progress: (message: string) => void, hooks: MeasureHooks = {}): Promise<Comparison[]> {
  const comparisons: Comparison[] = [];
  for (const connections of plan.connections) {
    const load = { connections, threads: plan.threads, seconds: plan.seconds };
    progress(`${connections} connection(s): warm-up, ${plan.warmupSeconds} s per target`);
    for (const target of targets) {
      const warm = await runWrk(target, { ...load, seconds: plan.warmupSeconds });
      if (!isValid(warm)) progress(`  warm-up of ${target.label} was not all 2xx: ${JSON.stringify(warm.statuses)}, ${warm.socketErrors} socket errors`);
    }
    const runs = new Map<LoadTarget, WrkRun[]>(targets.map((target) => [target, []]));
    await hooks.beforeRounds?.(connections);
    for (let round = 0; round < plan.rounds; round += 1) {
      const order = rotated(targets, round);
      progress(`${connections} connection(s): round ${round + 1}/${plan.rounds}: ${order.map((target) => target.label.split(' ')[0]).join(' → ')}`);
      for (const target of order) runs.get(target)?.push(await runWrk(target, load));
    }
    await hooks.afterRounds?.(connections);
    comparisons.push({ connections, results: targets.map((target) => ({ target, summary: summarise(runs.get(target) ?? []) })) });
  }
  return comparisons;
}

function validity(summary: WrkSummary): string {
  if (isValid(summary)) return 'yes';
  const statuses = Object.entries(summary.statuses)
    .filter(([status]) => !status.startsWith('2'))
    .map(([status, count]) => `${status}×${count}`);
  return `INVALID ${[...statuses, ...(summary.socketErrors > 0 ? [`${summary.socketErrors} socket errors`] : [])].join(', ')}`;
}

const ms = (micros: number) => fmt(micros / 1000);

/** One row per target: medians, each round's req/s, counts, validity. */
export function resultTable(comparison: Comparison, unit: string): string {
  return table(
    ['measured', `${unit}/s`, 'p50 ms', 'p99 ms', `${unit}/s in each round`, 'requests', 'non-2xx', 'socket errors', 'valid'],
    comparison.results.map(({ target, summary }) => [
      target.label,
      fmt(summary.requestsPerSecond),
      ms(summary.p50Micros),
      ms(summary.p99Micros),
      summary.perRound.map(fmt).join(' '),
      summary.requests.toLocaleString('en-US'),
      String(summary.non2xx),
      String(summary.socketErrors),
      validity(summary),
    ]),
  );
}

export interface RatioPair {
  /** Indexes into the targets. */
  readonly numerator: number;
  readonly denominator: number;
  readonly label: string;
}

/** Ratios of medians: throughput below 1× and latency above 1× mean the numerator is slower. */
export function ratioTable(comparison: Comparison, pairs: readonly RatioPair[], unit: string): string {
  return table(
    ['ratio', `${unit}/s`, 'p50', 'p99', 'both valid'],
    pairs.map(({ numerator, denominator, label }) => {
      const top = comparison.results[numerator]?.summary;
      const bottom = comparison.results[denominator]?.summary;
      if (top === undefined || bottom === undefined) throw new Error(`ratio ${label}: no such target`);
      return [label, ratio(top.requestsPerSecond / bottom.requestsPerSecond), ratio(top.p50Micros / bottom.p50Micros), ratio(top.p99Micros / bottom.p99Micros), isValid(top) && isValid(bottom) ? 'yes' : 'NO'];
    }),
  );
}

/** True when every run of every target was all 2xx without socket errors. */
export function allValid(comparisons: readonly Comparison[]): boolean {
  return comparisons.every((comparison) => comparison.results.every(({ summary }) => isValid(summary)));
}
