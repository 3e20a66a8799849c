// Escape handling of string literals and like patterns (rules in strings.ts).

import { describe, expect, it } from 'vitest';
import { EscapeError, unescapePattern, unescapeString } from './strings.js';

describe('unescapeString', () => {
  it('interprets every escape Cedar accepts', () => {
    expect(unescapeString(String.raw`\n\r\t\\\0\'\"`)).toBe('\n\r\t\\\0\'"');
    expect(unescapeString(String.raw`\x41\x7f\u{1F600}\u{1_F6_00_}\u{0}`)).toBe('A\x7f😀😀\0');
  });

  it('reports the offset of a bad escape', () => {
    expect(() => unescapeString(String.raw`ab\q`)).toThrow(new EscapeError('the input `\\q` is not a valid escape', 2));
    expect(() => unescapeString('a\rb')).toThrow(EscapeError);
    expect(() => unescapeString(String.raw`\*`)).toThrow(EscapeError);
    expect(() => unescapeString('\ud800')).toThrow(EscapeError);
  });
});

describe('unescapePattern', () => {
  it('makes one element per code point and keeps only `\\*` a literal star', () => {
    expect(unescapePattern(String.raw`a*\*\u{2a}😀`)).toEqual([{ Literal: 'a' }, 'Wildcard', { Literal: '*' }, 'Wildcard', { Literal: '😀' }]);
  });
});
