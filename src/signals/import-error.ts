// The one error every signal import raises: TENET_ERR_IMPORT_INVALID, carrying every problem found.
// Imports are all or nothing (docs/signals.md): a file with any bad row applies nothing, so the
// error must list every bad row at once — fixing a file one error per run is miserable.
import type { ErrorIssue } from '../errors.js';
import { TenetError } from '../errors.js';

/** Builds the import error for `fileName`; the message gives the count and the first issue, `issues` all of them. */
export function importInvalid(fileName: string, unordered: readonly ErrorIssue[]): TenetError {
  // Line-numbered issues come from several passes (cell counts, row checks, duplicates): present
  // them in file order. The sort is stable, and issues without a line keep their place first.
  const issues = [...unordered].sort((a, b) => lineOf(a) - lineOf(b));
  const first = issues[0];
  const summary = first === undefined ? '' : ` First: ${first.path}: ${first.message}`;
  const count = issues.length === 1 ? '1 problem' : `${issues.length} problems`;
  return new TenetError('TENET_ERR_IMPORT_INVALID', `${fileName}: ${count}; nothing was imported.${summary}`, issues);
}

/** Formats a JSON path as `[3].uid.id` (how the error messages name elements). */
export function formatJsonPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && /^[A-Za-z_$][\w$]*$/.test(key)) out += `.${key}`;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  if (out.startsWith('.')) out = out.slice(1);
  return out === '' ? '(root)' : out;
}

/** Turns zod's message into the short form used in issues (`expected string, received number`). */
export function plainZodMessage(message: string): string {
  return message.replace(/^Invalid input: /, '');
}

function lineOf(issue: ErrorIssue): number {
  const match = /:(\d+)(?::\d+)?$/.exec(issue.path);
  return match === null ? -1 : Number(match[1]);
}
