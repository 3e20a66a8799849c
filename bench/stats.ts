// Small statistics for the benchmarks: percentiles of per-call latencies, medians of rounds, and
// the fixed-width table the benchmark prints. Nothing here measures anything.

/** The q-th quantile (0..1) of `sorted` (ascending), nearest-rank: the value at or above that fraction. */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] as number;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** One timed round: per-call latencies (µs) and the wall time of the whole loop. */
export interface RoundResult {
  readonly p50Micros: number;
  readonly p99Micros: number;
  /** Calls divided by the loop's wall time. */
  readonly perSecond: number;
}

export function summariseRound(latenciesMicros: Float64Array, wallNanos: bigint): RoundResult {
  const sorted = Float64Array.from(latenciesMicros).sort();
  return {
    p50Micros: quantile(sorted, 0.5),
    p99Micros: quantile(sorted, 0.99),
    perSecond: latenciesMicros.length / (Number(wallNanos) / 1e9),
  };
}

/** Median of each figure over the rounds (each figure separately, as the house style asks). */
export function medianOfRounds(rounds: readonly RoundResult[]): RoundResult {
  return {
    p50Micros: median(rounds.map((r) => r.p50Micros)),
    p99Micros: median(rounds.map((r) => r.p99Micros)),
    perSecond: median(rounds.map((r) => r.perSecond)),
  };
}

/** Human figures: 3 significant digits up to 1,000, thousands separators above. */
export function fmt(value: number): string {
  if (!Number.isFinite(value)) return '—';
  if (Math.abs(value) >= 1000) return Math.round(value).toLocaleString('en-US');
  if (Math.abs(value) >= 100) return value.toFixed(0);
  if (Math.abs(value) >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

export function ratio(value: number): string {
  return Number.isFinite(value) ? `${value.toFixed(2)}×` : '—';
}

/** A plain-text table: the first `leftColumns` columns left-aligned (labels), the others right-aligned (figures). */
export function table(header: readonly string[], rows: readonly (readonly string[])[], leftColumns = 1): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((cell, i) => (i < leftColumns ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
