// `tenet cedar authorize --batch`: answers Cedar authorization cases read as JSON lines on stdin,
// one JSON line out per line in, with either the compiled evaluator or cedar-wasm (the reference).
// The line format is a contract with tests outside this repository; src/engine/cedar/compiled/batch.ts
// states what every kind of bad input prints.
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { Option, type Command } from 'commander';
import { runBatchCase, type Evaluator } from '../../engine/cedar/compiled/batch.js';
import { EXIT_ERROR, runCommand } from '../output.js';

export function registerCedarCommands(program: Command): void {
  const cedar = program.command('cedar').description('evaluate Cedar policies directly (no Tenet config)');

  cedar
    .command('authorize')
    .description('answer authorization cases given as JSON lines on stdin, one JSON line of results per case (--batch)')
    .option('--batch', 'read cases as JSON lines on stdin: {"policies", "entities", "schema"?, "requests"}')
    .addOption(new Option('--evaluator <name>', 'which evaluator answers').choices(['compiled', 'wasm']).default('compiled'))
    .action((options: { batch?: boolean; evaluator: Evaluator }) =>
      runCommand(async () => {
        if (options.batch !== true) {
          process.stderr.write('error: `tenet cedar authorize` reads its cases from stdin; run it with --batch\n');
          return EXIT_ERROR;
        }
        await answerLines(process.stdin, process.stdout, options.evaluator);
        return 0;
      }),
    );
}

/**
 * One output line per non-blank input line, in order. Lines may end in LF or CRLF and may be of any
 * length; output waits for `drain` so a slow reader never makes us buffer without bound. Bad lines
 * are answered with `{"error": …}` and do not stop the run, so the exit status is 0.
 */
export async function answerLines(input: Readable, output: Writable, evaluator: Evaluator): Promise<void> {
  const lines = createInterface({ input, crlfDelay: Infinity });
  for await (const line of lines) {
    if (line.trim() === '') continue;
    const answer = `${JSON.stringify(runBatchCase(line, evaluator))}\n`;
    if (!output.write(answer)) await once(output, 'drain');
  }
}
