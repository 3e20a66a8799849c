// Ordering operators `<`, `<=`, `>`, `>=`. Cedar 4.x orders Longs, and datetimes and durations
// among themselves; anything else (strings, decimals — which have lessThan() methods instead —,
// mixed types) is a type error (https://docs.cedarpolicy.com/policies/syntax-operators.html#operator-lessthan).
import type { Value } from '../value.js';
import { typeError } from './runtime-errors.js';

const ORDERED = 'one of [long, datetime, duration]';

/** Negative, zero or positive, like a comparator; throws for operands Cedar cannot order. */
export function compareValues(left: Value, right: Value): number {
  if (typeof left === 'bigint') {
    if (typeof right !== 'bigint') throw typeError('long', right);
    return left < right ? -1 : left > right ? 1 : 0;
  }
  if (typeof left === 'object' && 'extension' in left && left.compare !== undefined) {
    if (typeof right !== 'object' || !('extension' in right) || right.extension !== left.extension) throw typeError(left.extension, right);
    return left.compare(right);
  }
  throw typeError(ORDERED, left);
}
