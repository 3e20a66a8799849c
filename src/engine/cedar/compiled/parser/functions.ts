// The names Cedar accepts in call position. Cedar checks them while parsing: an unknown function
// or method is a parse error, and the built-in methods (which the EST writes as operators) have a
// fixed arity. Extension calls are not arity-checked by the parser (the validator does that), so
// neither are they here. Lists from Cedar 4.x's extensions (ipaddr, decimal, datetime and the
// partial-evaluation `unknown`), checked against cedar-wasm 4.13.

/** Methods the EST writes as operators: receiver and argument become `left`/`right` or `arg`. */
export const BUILTIN_METHODS: Readonly<Record<string, { readonly arity: 0 | 1; readonly op: string }>> = {
  contains: { arity: 1, op: 'contains' },
  containsAll: { arity: 1, op: 'containsAll' },
  containsAny: { arity: 1, op: 'containsAny' },
  getTag: { arity: 1, op: 'getTag' },
  hasTag: { arity: 1, op: 'hasTag' },
  isEmpty: { arity: 0, op: 'isEmpty' },
};

/** Extension functions, called as `name(args)` and written `{name: [args]}` in the EST. */
export const EXTENSION_FUNCTIONS: ReadonlySet<string> = new Set(['ip', 'decimal', 'datetime', 'duration', 'unknown']);

/** Extension methods, called as `receiver.name(args)` and written `{name: [receiver, ...args]}`. */
export const EXTENSION_METHODS: ReadonlySet<string> = new Set([
  // ipaddr
  'isIpv4', 'isIpv6', 'isLoopback', 'isMulticast', 'isInRange',
  // decimal
  'lessThan', 'lessThanOrEqual', 'greaterThan', 'greaterThanOrEqual',
  // datetime, duration
  'offset', 'durationSince', 'toDate', 'toTime', 'toDays', 'toHours', 'toMinutes', 'toSeconds', 'toMilliseconds',
]);

export function isMethodName(name: string): boolean {
  return Object.hasOwn(BUILTIN_METHODS, name) || EXTENSION_METHODS.has(name);
}
