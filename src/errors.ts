// One error catalogue for the whole project: every error Tenet raises on purpose is a TenetError
// with a stable code `TENET_ERR_<AREA>_<CONDITION>`. The mapping to HTTP status lives in exactly
// one place (src/api/errors.ts); the CLI prints `code: message` and exits non-zero.

export type ErrorArea = 'CONFIG' | 'POLICY' | 'REQUEST' | 'AUTH' | 'STORE' | 'AUDIT' | 'IMPORT' | 'ENGINE' | 'DEVICE' | 'SSF' | 'INTERNAL';

export interface ErrorIssue {
  /** Where the problem is: a config/JSON path (`api.auth`, `evaluations[2].subject.id`) or `file:line`. */
  readonly path: string;
  readonly message: string;
  readonly hint?: string;
}

export class TenetError extends Error {
  readonly code: string;
  readonly issues: readonly ErrorIssue[];

  constructor(code: `TENET_ERR_${ErrorArea}_${string}`, message: string, issues: readonly ErrorIssue[] = [], options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TenetError';
    this.code = code;
    this.issues = issues;
  }
}

export function isTenetError(value: unknown): value is TenetError {
  return value instanceof TenetError;
}
