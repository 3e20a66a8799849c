// A read position in the token list, with the small lookahead helpers the recursive-descent
// parser needs. Cedar's grammar is LR(1); two tokens of lookahead suffice for this hand-written
// version (e.g. `A::"id"` versus `A::B`).

import { unexpectedToken } from './errors.js';
import type { Lexer } from './lexer.js';
import type { Token } from './tokens.js';

export class TokenCursor {
  /** Tokens read from the lexer but not yet consumed; `lookahead[0]` is the current token. */
  private readonly lookahead: Token[] = [];
  private last: Token | undefined;

  constructor(private readonly lexer: Lexer) {}

  /** The token `ahead` places after the current one (`eof` repeats forever). */
  peek(ahead = 0): Token {
    while (this.lookahead.length <= ahead) this.lookahead.push(this.lexer.next());
    return this.lookahead[ahead]!;
  }

  next(): Token {
    const token = this.peek();
    if (token.kind !== 'eof') this.lookahead.shift();
    this.last = token;
    return token;
  }

  /** The token consumed last (used for spans); `undefined` before the first. */
  previous(): Token | undefined {
    return this.last;
  }

  atEnd(): boolean {
    return this.peek().kind === 'eof';
  }

  isPunct(text: string, ahead = 0): boolean {
    const token = this.peek(ahead);
    return token.kind === 'punct' && token.text === text;
  }

  isWord(word: string, ahead = 0): boolean {
    const token = this.peek(ahead);
    return token.kind === 'ident' && token.text === word;
  }

  eatPunct(text: string): boolean {
    if (!this.isPunct(text)) return false;
    this.next();
    return true;
  }

  expectPunct(text: string): Token {
    if (!this.isPunct(text)) unexpectedToken(this.peek(), `\`${text}\``);
    return this.next();
  }

  expectIdent(): Token {
    if (this.peek().kind !== 'ident') unexpectedToken(this.peek(), 'an identifier');
    return this.next();
  }

  /** Skip past the next `;` (error recovery: Cedar's grammar also resynchronises on `;`). */
  skipPastSemicolon(): void {
    while (!this.atEnd()) {
      const token = this.next();
      if (token.kind === 'punct' && token.text === ';') return;
    }
  }
}
