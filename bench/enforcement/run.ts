// What every enforcement-point benchmark does around its measurements: parse the plan, print the
// header, make a temp directory, bound the whole run in time (a watchdog kills everything), stop
// every child and remove the directory at the end — also when something fails — and print the
// load average and duration last. Exit code: 0 valid, 1 failed, 2 finished but some run had
// non-2xx answers or socket errors (its figures are flagged INVALID and must not be quoted).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deadlineMs, planFromArgs, type EnforcementPlan } from './plan.js';
import { loadAverage, printHeader } from './run-info.js';

export interface RunContext {
  readonly plan: EnforcementPlan;
  /** Removed after the run. */
  readonly dir: string;
  /** Deadline for each long-running child (the whole run's bound). */
  readonly deadlineMs: number;
  progress(message: string): void;
  /** Registers a cleanup step; they run in reverse order at the end. */
  defer(step: () => Promise<void>): void;
}

export async function runBenchmark(options: { title: string; command: string; targets: number }, body: (context: RunContext) => Promise<boolean>): Promise<void> {
  const plan = planFromArgs(process.argv.slice(2));
  const command = `${options.command}${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
  const began = Date.now();
  const elapsed = () => `${((Date.now() - began) / 1000).toFixed(0)} s`;
  const bound = deadlineMs(plan, options.targets);
  printHeader(options.title, command, plan);
  const dir = mkdtempSync(join(tmpdir(), 'tenet-bench-enforcement-'));
  // Also on Ctrl-C and on the watchdog's exit (children.ts kills the children on 'exit' too).
  const removeDir = () => rmSync(dir, { recursive: true, force: true });
  process.on('exit', removeDir);
  const watchdog = setTimeout(() => {
    console.error(`the benchmark ran past its bound of ${Math.round(bound / 1000)} s: killing every child and exiting`);
    process.exit(1);
  }, bound);
  watchdog.unref();
  const steps: (() => Promise<void>)[] = [];
  let valid = false;
  let failure: unknown;
  try {
    valid = await body({
      plan,
      dir,
      deadlineMs: bound,
      progress: (message) => console.error(`[${elapsed()}] ${message}`),
      defer: (step) => steps.push(step),
    });
  } catch (error) {
    failure = error;
  } finally {
    for (const step of steps.reverse()) await step().catch((error: unknown) => console.error(`cleanup: ${(error as Error).message}`));
    removeDir();
    clearTimeout(watchdog);
  }
  console.log(`load average  ${loadAverage()} at end; took ${elapsed()}`);
  if (failure !== undefined) {
    console.error(failure instanceof Error ? (failure.stack ?? failure.message) : String(failure));
    process.exit(1);
  }
  if (!valid) {
    console.log('SOME RUNS ARE INVALID (non-2xx answers or socket errors): their figures measure something else; do not quote them.');
    process.exit(2);
  }
}
