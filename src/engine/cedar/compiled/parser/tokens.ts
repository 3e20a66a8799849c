// Token model of Cedar's policy grammar, mirroring the `match` block of cedar-policy-core's
// `grammar.lalrpop`: keywords are not separate token kinds there either — every word is an
// identifier and the parser decides (Cedar's CST-to-AST step) where a word is reserved.

export type TokenKind =
  /** `[_a-zA-Z][_a-zA-Z0-9]*`, keywords included. */
  | 'ident'
  /** `[0-9]+` — always unsigned; a leading `-` is a separate token (see parse-expr.ts). */
  | 'number'
  /** `"…"` with escapes still in place: they are interpreted per use (strings.ts). */
  | 'string'
  /** `?principal`, `?resource` or any other `?name` (rejected by the parser). */
  | 'slot'
  | 'punct'
  /** Text the lexer could not turn into a token; the parser reports it when it gets there. */
  | 'invalid'
  | 'eof';

export interface Token {
  readonly kind: TokenKind;
  /** The source text of the token (for `invalid`, the offending text). */
  readonly text: string;
  /** UTF-16 offsets into the policy set text, end exclusive. */
  readonly offset: number;
  readonly end: number;
  /** For `invalid` tokens: why. */
  readonly problem?: string;
}

/** Cedar's punctuation tokens (the lexer matches two-character ones first). */
export const PUNCTUATION: readonly string[] = [
  '::', '==', '!=', '<=', '>=', '||', '&&',
  '@', '.', ',', ';', ':', '(', ')', '{', '}', '[', ']', '<', '>', '+', '-', '*', '/', '%', '!', '=',
];

/**
 * Identifiers Cedar reserves: they may not be attribute names after `.` or `has`, record keys,
 * or parts of an entity type name (`principal.if` is an error, `principal["if"]` is fine).
 * Cedar docs, "Grammar for Cedar syntax" (IDENT excludes these); checked against cedar-wasm 4.13.
 * `__cedar` is reserved too, but only as a whole path component (`__cedar_x` is fine).
 */
export const RESERVED_IDENTIFIERS: ReadonlySet<string> = new Set(['true', 'false', 'if', 'then', 'else', 'in', 'is', 'like', 'has']);

export const CEDAR_RESERVED_NAMESPACE = '__cedar';

/**
 * Whitespace as Cedar's lexer sees it: Rust regex `\s`, i.e. the Unicode White_Space property.
 * That is JavaScript's `\s` without U+FEFF (not White_Space) and with U+0085 (NEXT LINE).
 */
export function isCedarWhitespace(code: number): boolean {
  if (code <= 0x20) return code === 0x20 || (code >= 0x09 && code <= 0x0d);
  if (code < 0x85) return false;
  return (
    code === 0x85 ||
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000
  );
}

export function isIdentStart(code: number): boolean {
  return (code >= 0x61 && code <= 0x7a) || (code >= 0x41 && code <= 0x5a) || code === 0x5f;
}

export function isIdentPart(code: number): boolean {
  return isIdentStart(code) || isDigit(code);
}

export function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

/** How a token reads in an error message: Cedar's "unexpected token `x`". */
export function describeToken(token: Token): string {
  return token.kind === 'eof' ? 'end of input' : `\`${token.text}\``;
}
