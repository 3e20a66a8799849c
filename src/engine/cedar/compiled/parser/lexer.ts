// Cedar policy text → tokens. Follows the `match` block of cedar-policy-core's grammar.lalrpop:
// whitespace is Unicode White_Space, `//` comments run to the end of the line, identifiers are
// ASCII only, numbers are unsigned digit runs, and string literals are `"(\\.|[^"\\])*"` — so a
// backslash escapes any character except a line feed, and escapes are interpreted later.
// A character that starts no token becomes an `invalid` token instead of stopping the lexer, so
// that the parser can report it with the policy it belongs to and go on with the next one.

import { PUNCTUATION, isCedarWhitespace, isDigit, isIdentPart, isIdentStart, type Token } from './tokens.js';

const LINE_FEED = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const QUESTION_MARK = 0x3f;
const SLASH = 0x2f;

const PAIRS: ReadonlySet<string> = new Set(PUNCTUATION.filter((punct) => punct.length === 2));
const SINGLES: ReadonlySet<string> = new Set(PUNCTUATION.filter((punct) => punct.length === 1));

/** Reads tokens one at a time (policy sets can be megabytes; tokens should die young). */
export class Lexer {
  private position = 0;

  constructor(private readonly text: string) {}

  /** The next token; `eof` once the text is exhausted, and again on every later call. */
  next(): Token {
    const text = this.text;
    const length = text.length;
    let position = skipTrivia(text, this.position);
    if (position >= length) {
      this.position = length;
      return { kind: 'eof', text: '', offset: length, end: length };
    }
    const start = position;
    const code = text.charCodeAt(position);
    let token: Token;
    if (isIdentStart(code)) {
      position = scanWhile(text, position + 1, isIdentPart);
      token = { kind: 'ident', text: text.slice(start, position), offset: start, end: position };
    } else if (isDigit(code)) {
      position = scanWhile(text, position + 1, isDigit);
      token = { kind: 'number', text: text.slice(start, position), offset: start, end: position };
    } else if (code === QUOTE) {
      token = scanString(text, start);
    } else if (code === QUESTION_MARK && position + 1 < length && isIdentStart(text.charCodeAt(position + 1))) {
      position = scanWhile(text, position + 2, isIdentPart);
      token = { kind: 'slot', text: text.slice(start, position), offset: start, end: position };
    } else {
      token = scanPunctuation(text, start);
    }
    this.position = token.end;
    return token;
  }
}

/** Every token of `text`, ending with one `eof` token. */
export function tokenize(text: string): Token[] {
  const lexer = new Lexer(text);
  const tokens = [lexer.next()];
  while (tokens[tokens.length - 1]!.kind !== 'eof') tokens.push(lexer.next());
  return tokens;
}

function scanPunctuation(text: string, start: number): Token {
  const pair = text.slice(start, start + 2);
  if (PAIRS.has(pair)) return { kind: 'punct', text: pair, offset: start, end: start + 2 };
  const char = text[start]!;
  if (SINGLES.has(char)) return { kind: 'punct', text: char, offset: start, end: start + 1 };
  const codePoint = String.fromCodePoint(text.codePointAt(start)!);
  return { kind: 'invalid', text: codePoint, offset: start, end: start + codePoint.length, problem: `invalid token \`${codePoint}\`` };
}

function scanWhile(text: string, position: number, accept: (code: number) => boolean): number {
  while (position < text.length && accept(text.charCodeAt(position))) position++;
  return position;
}

function skipTrivia(text: string, position: number): number {
  while (position < text.length) {
    const code = text.charCodeAt(position);
    if (isCedarWhitespace(code)) {
      position++;
    } else if (code === SLASH && text.charCodeAt(position + 1) === SLASH) {
      position += 2;
      while (position < text.length) {
        const next = text.charCodeAt(position);
        if (next === LINE_FEED || next === CARRIAGE_RETURN) break;
        position++;
      }
    } else {
      break;
    }
  }
  return position;
}

function scanString(text: string, start: number): Token {
  let position = start + 1;
  while (position < text.length) {
    const code = text.charCodeAt(position);
    if (code === QUOTE) {
      return { kind: 'string', text: text.slice(start, position + 1), offset: start, end: position + 1 };
    }
    if (code === BACKSLASH) {
      // Cedar's regex `\\.`: `.` matches anything but a line feed, so `\` + newline (Rust's line
      // continuation) never reaches the unescaper — Cedar rejects it as an invalid token.
      if (position + 1 >= text.length || text.charCodeAt(position + 1) === LINE_FEED) {
        return invalidString(text, start, position + 1, 'invalid token: a backslash must not end a line in a string literal');
      }
      position += isHighSurrogateAt(text, position + 1) ? 3 : 2;
      continue;
    }
    position++;
  }
  return invalidString(text, start, text.length, 'invalid token: unterminated string literal');
}

function invalidString(text: string, start: number, end: number, problem: string): Token {
  return { kind: 'invalid', text: text.slice(start, end), offset: start, end, problem };
}

function isHighSurrogateAt(text: string, position: number): boolean {
  const code = text.charCodeAt(position);
  return code >= 0xd800 && code <= 0xdbff && position + 1 < text.length;
}
