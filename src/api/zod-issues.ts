// Turns zod validation failures into the catalogue's ErrorIssue list, one issue per problem, with
// paths in the form the docs use (`evaluations[2].subject.id`) so a caller can fix all at once.
import type { z } from 'zod';
import type { ErrorIssue } from '../errors.js';

/** `['evaluations', 2, 'subject', 'id']` → `evaluations[2].subject.id`, prefixed by `prefix` when given. */
export function formatPath(path: readonly PropertyKey[], prefix = ''): string {
  let out = prefix;
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? String(segment) : `.${String(segment)}`;
  }
  return out === '' ? '(body)' : out;
}

function hintFor(issue: z.core.$ZodIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined ? 'this member is required' : `send a JSON ${issue.expected}`;
    case 'unrecognized_keys':
      return `remove or rename: ${issue.keys.join(', ')}`;
    case 'invalid_value':
      return `one of: ${issue.values.map((value) => JSON.stringify(value)).join(', ')}`;
    default:
      return undefined;
  }
}

export function zodIssues(error: z.ZodError, prefix = ''): ErrorIssue[] {
  return error.issues.map((issue) => {
    const hint = hintFor(issue);
    const message = issue.code === 'invalid_type' && issue.input === undefined ? 'missing' : issue.message;
    return hint === undefined
      ? { path: formatPath(issue.path, prefix), message }
      : { path: formatPath(issue.path, prefix), message, hint };
  });
}

export type Parsed<T> = { readonly ok: true; readonly data: T } | { readonly ok: false; readonly issues: ErrorIssue[] };

/** Validates `input`; on failure lists every issue (with `reportInput` so "missing" can be told from "wrong type"). */
export function parseWith<S extends z.ZodType>(schema: S, input: unknown, prefix = ''): Parsed<z.output<S>> {
  const result = schema.safeParse(input, { reportInput: true });
  return result.success ? { ok: true, data: result.data } : { ok: false, issues: zodIssues(result.error, prefix) };
}
