// Parses an import file as JSON, turning syntax errors into an import issue with line and column
// where V8 reports a character offset (useless in a 10 000-line export).
import type { ErrorIssue } from '../errors.js';
import { IMPORT_LIMITS } from './limits.js';

export type JsonTextResult = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly issue: ErrorIssue };

export function parseJsonText(text: string, fileName: string): JsonTextResult {
  const tooLarge = checkTextSize(text, fileName);
  if (tooLarge !== undefined) return { ok: false, issue: tooLarge };
  // A UTF-8 byte-order mark (common in files saved by Windows tools) is not JSON whitespace.
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  try {
    return { ok: true, value: JSON.parse(body) };
  } catch (error) {
    // V8 quotes the start of the input in some messages ("Unexpected token ']', "[..." is not
    // valid JSON"); that snippet is noise in an issue list, so only the first clause is kept.
    const message = (error as Error).message.replace(/, (?:\.\.\.)?".*" is not valid JSON$/s, '');
    const offset = /position (\d+)/.exec(message)?.[1];
    const path = offset === undefined ? fileName : `${fileName}:${lineAndColumn(body, Number(offset))}`;
    return { ok: false, issue: { path, message: `not valid JSON: ${message}`, hint: 'check for trailing commas, comments or unquoted keys (JSON allows none of them)' } };
  }
}

/** An issue when `text` exceeds the import size limit, else undefined. */
export function checkTextSize(text: string, fileName: string): ErrorIssue | undefined {
  if (text.length <= IMPORT_LIMITS.maxTextLength) return undefined;
  return { path: fileName, message: `file is ${text.length} characters, over the limit of ${IMPORT_LIMITS.maxTextLength}`, hint: 'split the file into several imports' };
}

function lineAndColumn(text: string, offset: number): string {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i += 1) {
    if (text.charCodeAt(i) === 10) {
      line += 1;
      lineStart = i + 1;
    }
  }
  return `${line}:${offset - lineStart + 1}`;
}
