// String-literal escapes. Cedar unescapes with rustc_lexer's `unescape_str` (cedar-policy-core
// src/parser/unescape.rs), so the accepted escapes are Rust's: `\n \r \t \\ \0 \' \"`, `\xHH`
// (at most 0x7F) and `\u{H…}` (1–6 hex digits, `_` allowed after the first, no surrogates, at
// most 0x10FFFF). A bare carriage return is an error, as in Rust. `\*` is valid only in a `like`
// pattern, where it stands for a literal star; any other way of writing `*` — including `\u{2a}`
// and `\x2a` — is a wildcard (checked against cedar-wasm 4.13).

import type { PatternElement } from '../est.js';

/** An invalid escape; `index` is its offset in the literal's body (the text between the quotes). */
export class EscapeError extends Error {
  override readonly name = 'EscapeError';
  constructor(
    message: string,
    readonly index: number,
  ) {
    super(message);
  }
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = { n: '\n', r: '\r', t: '\t', '\\': '\\', '0': '\0', "'": "'", '"': '"' };

/** Bodies without these characters are their own value (the common case: no escapes at all). */
const NEEDS_SCAN = /[\\\r\ud800-\udfff]/;

/** One unescaped code point, and whether it was written `\*`. */
interface ScannedChar {
  readonly char: string;
  readonly escapedStar: boolean;
}

function* scan(body: string, allowEscapedStar: boolean): Generator<ScannedChar> {
  let index = 0;
  while (index < body.length) {
    const codePoint = body.codePointAt(index)!;
    const char = String.fromCodePoint(codePoint);
    if (char === '\r') throw new EscapeError('bare carriage return in a string literal (write `\\r`)', index);
    // A JavaScript string may hold a lone surrogate; Cedar's input is UTF-8 and never does.
    if (codePoint >= 0xd800 && codePoint <= 0xdfff) throw new EscapeError('lone UTF-16 surrogate in a string literal', index);
    if (char !== '\\') {
      yield { char, escapedStar: false };
      index += char.length;
      continue;
    }
    const start = index;
    const kind = body[index + 1];
    const simple = kind === undefined ? undefined : SIMPLE_ESCAPES[kind];
    if (simple !== undefined) {
      yield { char: simple, escapedStar: false };
      index += 2;
    } else if (kind === '*' && allowEscapedStar) {
      yield { char: '*', escapedStar: true };
      index += 2;
    } else if (kind === 'x') {
      const hex = body.slice(index + 2, index + 4);
      if (!/^[0-9a-fA-F]{2}$/.test(hex) || Number.parseInt(hex, 16) > 0x7f) throw invalidEscape(body, start, index + 4);
      yield { char: String.fromCharCode(Number.parseInt(hex, 16)), escapedStar: false };
      index += 4;
    } else if (kind === 'u') {
      const { char: unicode, end } = scanUnicodeEscape(body, start);
      yield { char: unicode, escapedStar: false };
      index = end;
    } else {
      throw invalidEscape(body, start, start + 1 + (kind === undefined ? 0 : String.fromCodePoint(body.codePointAt(start + 1)!).length));
    }
  }
}

/** `\u{…}` starting at `start` (the backslash): the character and the offset after `}`. */
function scanUnicodeEscape(body: string, start: number): { char: string; end: number } {
  let index = start + 2;
  if (body[index] !== '{') throw invalidEscape(body, start, index + 1);
  index++;
  if (body[index] === '_') throw invalidEscape(body, start, index + 1);
  let digits = '';
  while (index < body.length && body[index] !== '}') {
    const char = body[index]!;
    if (char !== '_') {
      if (!/[0-9a-fA-F]/.test(char)) throw invalidEscape(body, start, index + 1);
      digits += char;
    }
    index++;
  }
  if (index >= body.length) throw invalidEscape(body, start, index);
  const end = index + 1;
  if (digits.length === 0 || digits.length > 6) throw invalidEscape(body, start, end);
  const codePoint = Number.parseInt(digits, 16);
  if (codePoint > 0x10ffff || (codePoint >= 0xd800 && codePoint <= 0xdfff)) throw invalidEscape(body, start, end);
  return { char: String.fromCodePoint(codePoint), end };
}

function invalidEscape(body: string, start: number, end: number): EscapeError {
  return new EscapeError(`the input \`${body.slice(start, end)}\` is not a valid escape`, start);
}

/** The value of a string literal, given its body (the text between the quotes). */
export function unescapeString(body: string): string {
  if (!NEEDS_SCAN.test(body)) return body;
  let value = '';
  for (const { char } of scan(body, false)) value += char;
  return value;
}

/**
 * A `like` pattern as the EST writes it: one element per code point — `Wildcard` for an
 * unescaped star, `{Literal: c}` otherwise (policyToJson does not merge adjacent characters).
 */
export function unescapePattern(body: string): PatternElement[] {
  const pattern: PatternElement[] = [];
  for (const { char, escapedStar } of scan(body, true)) {
    pattern.push(char === '*' && !escapedStar ? 'Wildcard' : { Literal: char });
  }
  return pattern;
}
