// Validates a value in Cedar's JSON format by walking it, reporting each problem at its own path.
// A hand walk rather than a recursive zod union: a union reports only "invalid input" for a bad
// leaf deep inside, and recursion without a depth bound lets a crafted file exhaust the stack.
import { IMPORT_LIMITS } from '../limits.js';

export interface ValueProblem {
  /** Path below the value being checked. */
  readonly path: readonly (string | number)[];
  readonly message: string;
}

/** Problems in `value` as a Cedar attribute value; empty when it is valid. */
export function checkCedarValue(value: unknown): ValueProblem[] {
  const problems: ValueProblem[] = [];
  walk(value, [], 0, problems);
  return problems;
}

function walk(value: unknown, path: (string | number)[], depth: number, problems: ValueProblem[]): void {
  if (typeof value === 'boolean') return;
  if (typeof value === 'string') {
    if (value.length > IMPORT_LIMITS.maxStringLength) problems.push({ path, message: `string of ${value.length} characters, over the limit of ${IMPORT_LIMITS.maxStringLength}` });
    return;
  }
  if (typeof value === 'number') {
    // Cedar's Long is a 64-bit integer, and JSON numbers pass through a double here: only integers
    // that survive that trip are accepted. Decimals go through Cedar's extension escape.
    if (!Number.isSafeInteger(value)) {
      problems.push({ path, message: `${value} is not an integer within ±2^53; Cedar has no floating point — use {"__extn": {"fn": "decimal", "arg": "1.5"}}` });
    }
    return;
  }
  if (value === null) {
    problems.push({ path, message: 'null is not a Cedar value; omit the attribute instead' });
    return;
  }
  if (typeof value !== 'object') {
    problems.push({ path, message: `unsupported value of type ${typeof value}` });
    return;
  }
  if (depth >= IMPORT_LIMITS.maxValueDepth) {
    problems.push({ path, message: `nested deeper than ${IMPORT_LIMITS.maxValueDepth} levels` });
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, index) => walk(item, [...path, index], depth + 1, problems));
    return;
  }
  const entries = Object.entries(value);
  if (entries.length > IMPORT_LIMITS.maxKeysPerRecord) {
    problems.push({ path, message: `record with ${entries.length} keys, over the limit of ${IMPORT_LIMITS.maxKeysPerRecord}` });
    return;
  }
  for (const [key, item] of entries) walk(item, [...path, key], depth + 1, problems);
}
