// Long arithmetic with Cedar's overflow rule: Long is a signed 64-bit integer and any result
// outside [-2^63, 2^63-1] is an evaluation error, never a wrap
// (https://docs.cedarpolicy.com/policies/syntax-operators.html#operator-add).
import { LONG_MAX, LONG_MIN } from '../value.js';
import { overflowError } from './runtime-errors.js';

export function checkedAdd(a: bigint, b: bigint): bigint {
  const result = a + b;
  if (result > LONG_MAX || result < LONG_MIN) throw overflowError('add', [a, b]);
  return result;
}

export function checkedSubtract(a: bigint, b: bigint): bigint {
  const result = a - b;
  if (result > LONG_MAX || result < LONG_MIN) throw overflowError('subtract', [a, b]);
  return result;
}

export function checkedMultiply(a: bigint, b: bigint): bigint {
  const result = a * b;
  if (result > LONG_MAX || result < LONG_MIN) throw overflowError('multiply', [a, b]);
  return result;
}

/** `-a`: only -2^63 overflows. */
export function checkedNegate(a: bigint): bigint {
  if (a === LONG_MIN) throw overflowError('negate', [a]);
  return -a;
}
