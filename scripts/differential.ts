// Long-running differential fuzzing of the compiled Cedar evaluator against cedar-wasm. Every
// disagreeing case is written to test/differential/regressions/<name>.jsonl, which
// test/differential/regressions.test.ts then replays.
//   npm run fuzz:cedar -- [--cases N] [--seed S] [--minutes M]   run (stops at N cases or M minutes)
//   npm run fuzz:cedar -- --case-seed S                           regenerate and compare one case
import { parseArgs } from 'node:util';
import { compareLine } from '../test/differential/compare.js';
import { Coverage } from '../test/differential/coverage.js';
import { generateCase } from '../test/differential/generate/case.js';
import { caseSeed } from '../test/differential/generate/prng.js';
import { saveRegression } from '../test/differential/regressions.js';

const { values } = parseArgs({
  options: {
    cases: { type: 'string' },
    seed: { type: 'string' },
    minutes: { type: 'string' },
    'case-seed': { type: 'string' },
  },
});

function integer(text: string | undefined, name: string, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 0) {
    process.stderr.write(`error: --${name} must be a non-negative integer\n`);
    process.exit(2);
  }
  return value;
}

if (values['case-seed'] !== undefined) {
  const generated = generateCase(integer(values['case-seed'], 'case-seed', 0));
  const comparison = compareLine(generated.line);
  process.stdout.write(`${generated.line}\nwasm:     ${JSON.stringify(comparison.wasm)}\ncompiled: ${JSON.stringify(comparison.compiled)}\n`);
  process.stdout.write(comparison.differences.length === 0 ? 'agree\n' : `DISAGREE\n${comparison.differences.join('\n')}\n`);
  process.exit(comparison.differences.length === 0 ? 0 : 1);
}

const runSeed = integer(values.seed, 'seed', Math.floor(Math.random() * 2 ** 31));
const maxCases = integer(values.cases, 'cases', Number.MAX_SAFE_INTEGER);
const deadline = Date.now() + integer(values.minutes, 'minutes', values.cases === undefined ? 10 : 10_000) * 60_000;
const coverage = new Coverage();
let disagreements = 0;
let index = 0;
process.stdout.write(`run seed ${runSeed}\n`);
for (; index < maxCases && Date.now() < deadline; index++) {
  const generated = generateCase(caseSeed(runSeed, index));
  const comparison = compareLine(generated.line);
  coverage.add(comparison.wasm);
  if (comparison.differences.length > 0) {
    disagreements++;
    const path = saveRegression(`fuzz-${runSeed}-${generated.seed}`, generated.line);
    process.stdout.write(`case seed ${generated.seed}: ${comparison.differences.join('; ')}\n  saved ${path}\n`);
  }
  if ((index + 1) % 500 === 0) process.stdout.write(`${index + 1} cases, ${disagreements} disagreeing\n`);
}
process.stdout.write(`${index} cases, ${disagreements} disagreeing\ncoverage: ${coverage.summary()}\n`);
process.exitCode = disagreements === 0 ? 0 : 1;
