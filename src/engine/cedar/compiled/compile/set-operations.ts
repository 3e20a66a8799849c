// Set methods: `contains`, `containsAll`, `containsAny`, `isEmpty`. The receiver (and for
// containsAll/containsAny the argument) must be a set, else a type error; membership is Cedar
// equality, so set order and duplicates do not matter
// (https://docs.cedarpolicy.com/policies/syntax-operators.html#operator-contains).
import { SetValue, type Value } from '../value.js';
import { typeError } from './runtime-errors.js';

function asSet(value: Value): SetValue {
  if (!(value instanceof SetValue)) throw typeError('set', value);
  return value;
}

export function contains(set: Value, element: Value): boolean {
  return asSet(set).has(element);
}

export function containsAll(set: Value, other: Value): boolean {
  const receiver = asSet(set);
  const argument = asSet(other);
  for (const item of argument.items) if (!receiver.has(item)) return false;
  return true;
}

export function containsAny(set: Value, other: Value): boolean {
  const receiver = asSet(set);
  const argument = asSet(other);
  for (const item of argument.items) if (receiver.has(item)) return true;
  return false;
}

export function isEmpty(set: Value): boolean {
  return asSet(set).size === 0;
}
