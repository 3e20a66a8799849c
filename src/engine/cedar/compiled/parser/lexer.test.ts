// Tokenisation: Cedar's whitespace set, comments, and invalid input carried as tokens.

import { describe, expect, it } from 'vitest';
import { tokenize } from './lexer.js';

const kinds = (text: string): string[] => tokenize(text).map((token) => `${token.kind}:${token.text}`);

describe('tokenize', () => {
  it('splits words, numbers, strings, slots and punctuation greedily', () => {
    expect(kinds('A::"x"==?principal&&1<=-2')).toEqual([
      'ident:A', 'punct:::', 'string:"x"', 'punct:==', 'slot:?principal', 'punct:&&', 'number:1', 'punct:<=', 'punct:-', 'number:2', 'eof:',
    ]);
  });

  it('skips Unicode White_Space and line comments, but not U+FEFF or U+200B', () => {
    expect(kinds('a\u0085\u00a0\u2028b // c "d\n e // f\r g')).toEqual(['ident:a', 'ident:b', 'ident:e', 'ident:g', 'eof:']);
    expect(kinds('\ufeffa\u200b')).toEqual(['invalid:\ufeff', 'ident:a', 'invalid:\u200b', 'eof:']);
  });

  it('keeps escapes inside string tokens and rejects a backslash before a line feed', () => {
    expect(kinds(String.raw`"a\"b" "c\\"`)).toEqual([String.raw`string:"a\"b"`, String.raw`string:"c\\"`, 'eof:']);
    expect(tokenize('"a\\\nb"')[0]).toMatchObject({ kind: 'invalid', problem: 'invalid token: a backslash must not end a line in a string literal' });
  });
});
