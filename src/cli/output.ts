// How the CLI talks: results on stdout (JSON where a program will read it), problems on stderr as
// `code: message` followed by one line per issue, and a non-zero exit status.
import { isTenetError } from '../errors.js';

/** Exit statuses: 1 = the thing checked is bad (invalid config, failed verification, failing test); 2 = usage or runtime error. */
export const EXIT_FAILED = 1;
export const EXIT_ERROR = 2;

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function printError(error: unknown): void {
  if (isTenetError(error)) {
    process.stderr.write(`${error.code}: ${error.message}\n`);
    for (const issue of error.issues) {
      process.stderr.write(`  ${issue.path}: ${issue.message}${issue.hint ? ` (hint: ${issue.hint})` : ''}\n`);
    }
    return;
  }
  process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
}

/** Runs a command body; any thrown error is printed and turns into exit status 2 (or 1 for invalid input). */
export async function runCommand(body: () => Promise<number | void> | number | void): Promise<void> {
  try {
    const status = await body();
    process.exitCode = status ?? 0;
  } catch (error) {
    printError(error);
    process.exitCode = isTenetError(error) && /_(INVALID|UNREADABLE)$/.test(error.code) ? EXIT_FAILED : EXIT_ERROR;
  }
}
