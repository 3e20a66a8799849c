import { describe, expect, it } from 'vitest';
import { TenetError } from '../../../../errors.js';
import { MAX_JSON_DEPTH, parseJsonExact } from './exact-json.js';

describe('parseJsonExact', () => {
  it('reads integers as exact bigints, beyond 2^53 too', () => {
    expect(parseJsonExact('9223372036854775807')).toBe(9223372036854775807n);
    expect(parseJsonExact('-9223372036854775808')).toBe(-9223372036854775808n);
    expect(parseJsonExact('[0, -0, 12]')).toEqual([0n, 0n, 12n]);
    expect(parseJsonExact('123456789012345678901234567890')).toBe(123456789012345678901234567890n);
  });

  it('keeps fractions and exponents as numbers (Cedar rejects them later)', () => {
    expect(parseJsonExact('1.5')).toBe(1.5);
    expect(parseJsonExact('1e3')).toBe(1000);
    expect(parseJsonExact('-2.5E-1')).toBe(-0.25);
  });

  it('agrees with JSON.parse on ordinary documents', () => {
    const text = ' { "a" : [true, false, null, "x\\n\\"\\u00e9\\ud83d\\ude00\\/"], "b": {"c": {}}, "d": [] } ';
    const ours = parseJsonExact(text) as Record<string, unknown>;
    expect(JSON.parse(JSON.stringify(ours))).toEqual(JSON.parse(text));
    expect(Object.getPrototypeOf(ours)).toBeNull();
  });

  it('treats __proto__ as an ordinary key', () => {
    const value = parseJsonExact('{"__proto__": {"polluted": 1}}') as Record<string, unknown>;
    expect(Object.keys(value)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it.each([
    ['{"a": 1, "a": 2}', /duplicate key "a"/],
    ['{"a": {"b": 1, "b": 1}}', /duplicate key "b" in \$\.a/],
    ['', /unexpected end of input/],
    ['[1, 2,]', /unexpected character/],
    ['{"a": 1,}', /expected a string key/],
    ['01', /unexpected text/],
    ['1.', /unexpected text/],
    ['-', /malformed number/],
    ['+1', /unexpected character/],
    ['NaN', /unexpected character/],
    ['"abc', /unterminated string/],
    ['"a\tb"', /control character/],
    ['"\\x"', /invalid escape/],
    ['"\\u12"', /invalid \\u escape/],
    ['"\\ud800"', /lone high surrogate/],
    ['"\\udc00"', /lone low surrogate/],
    ['tru', /expected `true`/],
    ['{} {}', /unexpected text/],
    ["{'a': 1}", /expected a string key/],
    ['[1 2]', /expected `,` or `]`/],
  ])('rejects %j', (text, message) => {
    expect(() => parseJsonExact(text)).toThrow(TenetError);
    expect(() => parseJsonExact(text)).toThrow(message);
  });

  it('names the line and column of an error', () => {
    expect(() => parseJsonExact('{\n  "a": tru\n}')).toThrow(/at 2:8/);
  });

  it('refuses nesting deeper than the limit instead of overflowing the stack', () => {
    expect(() => parseJsonExact('['.repeat(MAX_JSON_DEPTH + 2) + ']'.repeat(MAX_JSON_DEPTH + 2))).toThrow(/nesting deeper/);
    expect(parseJsonExact('['.repeat(100) + ']'.repeat(100))).toBeInstanceOf(Array);
  });
});
