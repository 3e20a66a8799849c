// Differential test of the compiled Cedar evaluator against cedar-wasm on generated cases: a fixed
// run seed, so CI is reproducible; each failure prints its case seed, which
// `npm run fuzz:cedar -- --case-seed <seed>` regenerates alone. Longer runs: scripts/differential.ts.
import { describe, expect, it } from 'vitest';
import { compareLine } from './compare.js';
import { Coverage } from './coverage.js';
import { generateCase } from './generate/case.js';
import { caseSeed } from './generate/prng.js';

const RUN_SEED = 20_240_601;
const CASES = 250;

describe('compiled Cedar evaluator vs cedar-wasm', () => {
  const coverage = new Coverage();
  const failures: string[] = [];

  // Generous timeout: cedar-wasm re-parses the schema and entities per request (~40 ms/case idle).
  it(`gives the same answers on ${CASES} generated cases`, { timeout: 240_000 }, () => {
    for (let index = 0; index < CASES; index++) {
      const generated = generateCase(caseSeed(RUN_SEED, index));
      const comparison = compareLine(generated.line);
      coverage.add(comparison.wasm);
      if (comparison.differences.length > 0) failures.push(`case seed ${generated.seed}: ${comparison.differences.join('; ')}\n  ${generated.line}`);
    }
    console.log(`differential coverage (${CASES} cases): ${coverage.summary()}`);
    expect(failures, `${failures.length} disagreeing cases; reproduce one with npm run fuzz:cedar -- --case-seed <seed>\n${failures.slice(0, 5).join('\n')}`).toEqual([]);
  });

  it('generates cases that reach every kind of outcome', () => {
    const requests = coverage.get('requests');
    expect(requests).toBeGreaterThan(CASES);
    for (const outcome of ['decision allow', 'decision deny', 'with determining policies', 'with erroring policies', 'request error', 'line error: policies', 'line error: entities'])
      expect(coverage.get(outcome), outcome).toBeGreaterThan(0);
    expect(coverage.get('decision allow') / requests).toBeGreaterThan(0.12);
    expect(coverage.get('with erroring policies') / requests).toBeGreaterThan(0.08);
    expect(coverage.get('lines') - coverage.get('line error: policies') - coverage.get('line error: entities') - coverage.get('line error: schema')).toBeGreaterThan(CASES * 0.7);
  });
});
