// Runs one batch line through both evaluators and decides whether they agree: the same line-level
// outcome (both an error, or both results), and per request the same decision, sorted determining
// ids and sorted erroring ids — or both an error. Error messages may differ; their presence may not.
import { runBatchCase, type BatchOutput, type BatchResult } from '../../src/engine/cedar/compiled/batch.js';

export interface Comparison {
  readonly wasm: BatchOutput;
  readonly compiled: BatchOutput;
  /** Empty when the evaluators agree; otherwise one line per disagreement. */
  readonly differences: readonly string[];
}

export function compareLine(line: string): Comparison {
  const wasm = runBatchCase(line, 'wasm');
  const compiled = runBatchCase(line, 'compiled');
  return { wasm, compiled, differences: differences(wasm, compiled) };
}

function differences(wasm: BatchOutput, compiled: BatchOutput): string[] {
  if ('error' in wasm || 'error' in compiled) {
    if ('error' in wasm && 'error' in compiled) return [];
    return [`line: wasm ${describe(wasm)} / compiled ${describe(compiled)}`];
  }
  if (wasm.results.length !== compiled.results.length) return [`results: wasm has ${wasm.results.length}, compiled ${compiled.results.length}`];
  const out: string[] = [];
  wasm.results.forEach((expected, i) => {
    const actual = compiled.results[i] as BatchResult;
    if ('error' in expected && 'error' in actual) return;
    if (JSON.stringify(expected) !== JSON.stringify(actual)) out.push(`request ${i}: wasm ${describe(expected)} / compiled ${describe(actual)}`);
  });
  return out;
}

function describe(value: BatchOutput | BatchResult): string {
  return JSON.stringify(value);
}
