// Figures as the revocation benchmark prints them: percentiles (nearest rank), one table row per
// measured signal, the machine's load average.
import { loadavg } from 'node:os';
import { DEADLINE_MS } from './options.js';

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

export function row(label: string, values: readonly number[], missed = 0, statuses?: ReadonlyMap<number, number>): string {
  const answers = statuses === undefined ? '' : `   [${[...statuses].sort(([a], [b]) => a - b).map(([status, count]) => `${status}×${count}`).join(' ')}]`;
  const sorted = [...values].sort((a, b) => a - b);
  const ms = (value: number) => (Number.isNaN(value) ? '—' : `${value.toFixed(1)} ms`).padStart(10);
  return `${label.padEnd(60)}${String(values.length).padStart(6)}${ms(percentile(sorted, 50))}${ms(percentile(sorted, 99))}${ms(sorted.at(-1) ?? Number.NaN)}${answers}${missed > 0 ? `   ${missed} MISSED (> ${DEADLINE_MS} ms)` : ''}`;
}

export const loadAverage = (): string => `${loadavg().map((value) => value.toFixed(2)).join(' ')} (1/5/15 min)`;
