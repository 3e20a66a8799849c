// Runs `tenet … --help` for the root and, recursively, every command its help lists, through the
// real CLI entry point inside this one process, and prints one JSON line per command:
// {command, exitCode, stdout, error?}. Run as a subprocess by test/cli.e2e.test.ts.
//
// Why one process: each CLI start costs one to two CPU-seconds, and there are over twenty commands.
// The entry point (src/cli/main.ts) is re-evaluated per command (a fresh commander program each
// time) with `process.argv` set as a user's shell would; only `process.exit`, which commander calls
// after printing help, is intercepted so the next command can run.
import { pathToFileURL } from 'node:url';
import { CLI_ENTRY } from './quickstart.js';

class Exited extends Error {
  constructor(readonly exitCode: number) {
    super(`exit ${exitCode}`);
  }
}

interface HelpResult {
  readonly command: string;
  readonly exitCode: number | undefined;
  readonly stdout: string;
  readonly error?: string;
}

const realExit = process.exit.bind(process);
const realWrite = process.stdout.write.bind(process.stdout);
let runs = 0;

async function help(command: string): Promise<HelpResult> {
  let stdout = '';
  process.argv = [process.argv[0] ?? 'node', CLI_ENTRY, ...command.split(' ').filter(Boolean), '--help'];
  process.exit = ((code?: number) => {
    throw new Exited(code ?? 0);
  }) as typeof process.exit;
  process.stdout.write = ((chunk: string | Uint8Array) => {
    stdout += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  }) as typeof process.stdout.write;
  try {
    runs += 1;
    await import(`${pathToFileURL(CLI_ENTRY).href}?help=${runs}`);
    return { command, exitCode: typeof process.exitCode === 'number' ? process.exitCode : 0, stdout };
  } catch (caught) {
    if (caught instanceof Exited) return { command, exitCode: caught.exitCode, stdout };
    return { command, exitCode: undefined, stdout, error: caught instanceof Error ? caught.message : String(caught) };
  } finally {
    process.exit = realExit;
    process.stdout.write = realWrite;
    process.exitCode = undefined;
  }
}

/** Subcommand names from commander's "Commands:" section (its own `help` command excluded). */
function listedSubcommands(stdout: string): string[] {
  const section = /\nCommands:\n([\s\S]*)$/.exec(stdout)?.[1] ?? '';
  return section
    .split('\n')
    .map((line) => /^ {2}([a-z][a-z0-9-]*)/.exec(line)?.[1])
    .filter((name): name is string => name !== undefined && name !== 'help');
}

const queue = [''];
for (let command = queue.shift(); command !== undefined; command = queue.shift()) {
  const result = await help(command);
  realWrite(`${JSON.stringify(result)}\n`);
  queue.push(...listedSubcommands(result.stdout).map((sub) => `${command} ${sub}`.trim()));
}
