import { describe, expect, it } from 'vitest';
import type { PatternElement } from '../est.js';
import { compileLikePattern } from './like-pattern.js';

const W = 'Wildcard' as const;
const L = (text: string): PatternElement => ({ Literal: text });

describe('compileLikePattern', () => {
  const cases: [PatternElement[], string, boolean][] = [
    [[], '', true],
    [[], 'a', false],
    [[W], '', true],
    [[W], 'anything', true],
    [[L('abc')], 'abc', true],
    [[L('abc')], 'abcd', false],
    [[L('a'), W], 'abc', true],
    [[W, L('c')], 'abc', true],
    [[W, L('c')], 'abd', false],
    [[L('a'), W, L('a')], 'a', false], // prefix and suffix may not overlap
    [[L('a'), W, L('a')], 'aa', true],
    [[L('a'), W, L('b'), W, L('c')], 'abc', true],
    [[L('a'), W, L('b'), W, L('c')], 'acb', false],
    [[W, L('ab'), W, L('ab'), W], 'xabyab', true],
    [[W, L('ab'), W, L('ab'), W], 'xaby', false],
    [[W, L('aa'), L('a')], 'aaaa', true],
    [[W, W, L('x'), W, W], 'yxy', true],
    // an escaped `\*` is a literal star
    [[L('a*b')], 'a*b', true],
    [[L('a*b')], 'axb', false],
    [[L('a'), L('*'), W], 'a*zz', true],
    [[L('a'), L('*'), W], 'azz', false],
    // middle chunk must end before the suffix starts
    [[L('x'), W, L('yz'), W, L('z')], 'xyz', false],
    [[L('x'), W, L('yz'), W, L('z')], 'xyzz', true],
    [[W, L('é'), W], 'café!', true],
    [[L('😀'), W], '😀x', true],
  ];
  it.each(cases)('%j matches %j: %s', (pattern, text, expected) => {
    expect(compileLikePattern(pattern)(text)).toBe(expected);
  });
});
