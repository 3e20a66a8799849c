// The regression corpus: every disagreement the fuzzer finds is saved as
// `regressions/<name>.jsonl` (one batch line) and replayed by regressions.test.ts forever after.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const REGRESSIONS_DIR = new URL('./regressions/', import.meta.url).pathname;

export interface Regression {
  readonly name: string;
  readonly line: string;
}

export function readRegressions(dir = REGRESSIONS_DIR): Regression[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.jsonl'))
    .sort()
    .flatMap((file) =>
      readFileSync(join(dir, file), 'utf8')
        .split(/\r?\n/)
        .filter((line) => line.trim() !== '')
        .map((line, i, all) => ({ name: all.length === 1 ? file.replace(/\.jsonl$/, '') : `${file.replace(/\.jsonl$/, '')}#${i + 1}`, line })),
    );
}

/** Saves a disagreeing line as `<name>.jsonl`; returns the file's path. */
export function saveRegression(name: string, line: string, dir = REGRESSIONS_DIR): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.jsonl`);
  writeFileSync(path, `${line}\n`);
  return path;
}
