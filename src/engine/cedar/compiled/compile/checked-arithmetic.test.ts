import { describe, expect, it } from 'vitest';
import { CedarEvaluationError, LONG_MAX, LONG_MIN } from '../value.js';
import { checkedAdd, checkedMultiply, checkedNegate, checkedSubtract } from './checked-arithmetic.js';

describe('checked Long arithmetic', () => {
  it('computes inside the 64-bit range, bounds included', () => {
    expect(checkedAdd(LONG_MAX - 1n, 1n)).toBe(LONG_MAX);
    expect(checkedSubtract(LONG_MIN + 1n, 1n)).toBe(LONG_MIN);
    expect(checkedMultiply(-(2n ** 62n), 2n)).toBe(LONG_MIN);
    expect(checkedNegate(LONG_MAX)).toBe(LONG_MIN + 1n);
  });
  it('errors on overflow instead of wrapping', () => {
    expect(() => checkedAdd(LONG_MAX, 1n)).toThrow(CedarEvaluationError);
    expect(() => checkedSubtract(LONG_MIN, 1n)).toThrow(/overflow/);
    expect(() => checkedMultiply(2n ** 62n, 2n)).toThrow(CedarEvaluationError);
    expect(() => checkedMultiply(LONG_MIN, -1n)).toThrow(CedarEvaluationError);
    expect(() => checkedNegate(LONG_MIN)).toThrow(/negate/);
  });
});
