// A command runner for tests: answers from a script keyed by the command line; anything not
// scripted is "not installed". Records what was run so tests can check no shell was involved.
import type { CommandOutcome, CommandRunner } from '../command-runner.js';

export interface ScriptedRunner {
  readonly run: CommandRunner;
  readonly calls: string[];
}

export function scriptedRunner(script: Readonly<Record<string, CommandOutcome>> = {}): ScriptedRunner {
  const calls: string[] = [];
  return {
    calls,
    run: (file, args) => {
      const line = [file, ...args].join(' ');
      calls.push(line);
      return Promise.resolve(script[line] ?? { kind: 'missing' });
    },
  };
}

export const exited = (code: number, stdout = '', stderr = ''): CommandOutcome => ({ kind: 'exited', code, stdout, stderr });
