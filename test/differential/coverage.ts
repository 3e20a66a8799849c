// Tallies what generated cases exercise, from cedar-wasm's answers: line-level errors by stage,
// request errors, decisions, and how many requests had determining or erroring policies — so a
// generator change that stops reaching some outcome shows up in the summary.
import type { BatchOutput } from '../../src/engine/cedar/compiled/batch.js';

export class Coverage {
  readonly counts = new Map<string, number>();

  add(output: BatchOutput): void {
    this.bump('lines');
    if ('error' in output) {
      this.bump(`line error: ${output.error.slice(0, output.error.indexOf(':'))}`);
      return;
    }
    for (const result of output.results) {
      this.bump('requests');
      if ('error' in result) {
        this.bump('request error');
        continue;
      }
      this.bump(`decision ${result.decision}`);
      if (result.reason.length > 0) this.bump('with determining policies');
      if (result.errors.length > 0) this.bump('with erroring policies');
      if (result.decision === 'allow' && result.errors.length > 0) this.bump('allow despite an erroring policy');
    }
  }

  get(key: string): number {
    return this.counts.get(key) ?? 0;
  }

  summary(): string {
    return [...this.counts.entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([key, count]) => `${key}: ${count}`)
      .join(', ');
  }

  private bump(key: string): void {
    this.counts.set(key, this.get(key) + 1);
  }
}
