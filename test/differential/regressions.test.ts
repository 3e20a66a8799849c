// Replays every saved disagreement (regressions/*.jsonl, written by scripts/differential.ts): each
// is a named test that the compiled evaluator answers exactly as cedar-wasm does.
import { describe, expect, it } from 'vitest';
import { compareLine } from './compare.js';
import { readRegressions } from './regressions.js';

describe('Cedar differential regressions', () => {
  const regressions = readRegressions();
  it('has a corpus directory', () => {
    expect(Array.isArray(regressions)).toBe(true);
  });
  for (const regression of regressions) {
    it(regression.name, () => {
      const { differences, wasm, compiled } = compareLine(regression.line);
      expect(differences, `wasm: ${JSON.stringify(wasm)}\ncompiled: ${JSON.stringify(compiled)}`).toEqual([]);
    });
  }
});
