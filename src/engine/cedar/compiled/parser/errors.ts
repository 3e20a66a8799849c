// Parse failures: an internal exception carrying the offending offset, and its translation into
// Tenet's error catalogue (TENET_ERR_POLICY_INVALID, one issue per broken policy, located as
// `file:line:column`). Messages follow cedar-wasm's wording where it has one.

import { TenetError, type ErrorIssue } from '../../../../errors.js';
import { describeToken, type Token } from './tokens.js';

/** Thrown inside the parser; caught per policy by parse-policy.ts. */
export class CedarSyntaxError extends Error {
  override readonly name = 'CedarSyntaxError';
  constructor(
    message: string,
    /** UTF-16 offset into the policy set text. */
    readonly offset: number,
  ) {
    super(message);
  }
}

export function failAt(token: Token, message: string): never {
  throw new CedarSyntaxError(message, token.offset);
}

/** Cedar's "unexpected token `x`", or the lexer's reason for an invalid token. */
export function unexpectedToken(token: Token, expected?: string): never {
  if (token.kind === 'invalid') failAt(token, token.problem ?? `invalid token ${describeToken(token)}`);
  const found = token.kind === 'eof' ? 'unexpected end of input' : `unexpected token ${describeToken(token)}`;
  failAt(token, expected === undefined ? found : `${found}, expected ${expected}`);
}

/** Line/column (1-based; columns count code points) of offsets in one text. */
export class SourcePositions {
  private readonly lineStarts: number[] = [0];

  constructor(private readonly text: string) {
    for (let index = 0; index < text.length; index++) {
      const code = text.charCodeAt(index);
      if (code === 0x0a || (code === 0x0d && text.charCodeAt(index + 1) !== 0x0a)) this.lineStarts.push(index + 1);
    }
  }

  position(offset: number): { line: number; column: number } {
    let low = 0;
    let high = this.lineStarts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (this.lineStarts[middle]! <= offset) low = middle;
      else high = middle - 1;
    }
    const lineStart = this.lineStarts[low]!;
    let column = 1;
    for (let index = lineStart; index < offset; index++) {
      const code = this.text.charCodeAt(index);
      const previous = this.text.charCodeAt(index - 1);
      const secondHalfOfPair = code >= 0xdc00 && code <= 0xdfff && index > lineStart && previous >= 0xd800 && previous <= 0xdbff;
      if (!secondHalfOfPair) column++;
    }
    return { line: low + 1, column };
  }

  location(fileName: string, offset: number): string {
    const { line, column } = this.position(offset);
    return `${fileName}:${line}:${column}`;
  }
}

export function policyInvalidError(fileName: string, issues: readonly ErrorIssue[]): TenetError {
  const first = issues[0];
  const summary = first === undefined ? '' : `: ${first.path}: ${first.message}${issues.length > 1 ? ` (and ${issues.length - 1} more)` : ''}`;
  return new TenetError('TENET_ERR_POLICY_INVALID', `invalid Cedar policies in ${fileName}${summary}`, issues);
}
