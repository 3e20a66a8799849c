// The extension-function registry of the compiled evaluator: every Cedar 4.x extension
// constructor and method, keyed by its EST call name (`{"ip": [arg]}`, `{"isInRange": [recv, arg]}`;
// a method's receiver is args[0]). Each function checks its arity and argument types and throws
// CedarEvaluationError on a bad call, an unparsable string or an overflow, as Cedar does.
// https://docs.cedarpolicy.com/policies/syntax-operators.html
import { CedarEvaluationError, type ExtensionValue, type Value } from '../value.js';
import { expectArity, expectExtension, expectString } from './arguments.js';
import { DatetimeValue } from './datetime.js';
import { DecimalValue } from './decimal.js';
import { DurationValue } from './duration.js';
import { IpAddrValue } from './ipaddr.js';

export { DatetimeValue } from './datetime.js';
export { DecimalValue } from './decimal.js';
export { DurationValue } from './duration.js';
export { IpAddrValue } from './ipaddr.js';

export type ExtensionFunction = (args: readonly Value[]) => Value;

/** The four constructors, by call name: each takes one string. */
const CONSTRUCTORS: ReadonlyMap<string, (text: string) => ExtensionValue> = new Map<string, (text: string) => ExtensionValue>([
  ['ip', (text) => IpAddrValue.parse(text)],
  ['decimal', (text) => DecimalValue.parse(text)],
  ['datetime', (text) => DatetimeValue.parse(text)],
  ['duration', (text) => DurationValue.parse(text)],
]);

const ip = (value: Value | undefined): IpAddrValue => expectExtension(value, (v): v is IpAddrValue => v instanceof IpAddrValue, 'ipaddr', 'ip');
const decimal = (value: Value | undefined): DecimalValue => expectExtension(value, (v): v is DecimalValue => v instanceof DecimalValue, 'decimal', 'decimal');
const datetime = (value: Value | undefined): DatetimeValue => expectExtension(value, (v): v is DatetimeValue => v instanceof DatetimeValue, 'datetime', 'datetime');
const duration = (value: Value | undefined): DurationValue => expectExtension(value, (v): v is DurationValue => v instanceof DurationValue, 'duration', 'duration');

/** A method with only its receiver: `recv.isIpv4()`. */
function unary<T>(fn: string, receiver: (value: Value | undefined) => T, apply: (self: T) => Value): [string, ExtensionFunction] {
  return [
    fn,
    (args) => {
      expectArity(fn, args, 1);
      return apply(receiver(args[0]));
    },
  ];
}

/** A method with its receiver and one argument: `recv.isInRange(arg)`. */
function binary<T, U>(
  fn: string,
  receiver: (value: Value | undefined) => T,
  argument: (value: Value | undefined) => U,
  apply: (self: T, other: U) => Value,
): [string, ExtensionFunction] {
  return [
    fn,
    (args) => {
      expectArity(fn, args, 2);
      return apply(receiver(args[0]), argument(args[1]));
    },
  ];
}

export const EXTENSION_FUNCTIONS: ReadonlyMap<string, ExtensionFunction> = new Map<string, ExtensionFunction>([
  ...[...CONSTRUCTORS].map(([fn, construct]): [string, ExtensionFunction] => [
    fn,
    (args) => {
      expectArity(fn, args, 1);
      return construct(expectString(fn, args[0]));
    },
  ]),
  // ipaddr
  unary('isIpv4', ip, (self) => self.isIpv4()),
  unary('isIpv6', ip, (self) => self.isIpv6()),
  unary('isLoopback', ip, (self) => self.isLoopback()),
  unary('isMulticast', ip, (self) => self.isMulticast()),
  binary('isInRange', ip, ip, (self, range) => self.isInRange(range)),
  // decimal
  binary('lessThan', decimal, decimal, (self, other) => self.lessThan(other)),
  binary('lessThanOrEqual', decimal, decimal, (self, other) => self.lessThanOrEqual(other)),
  binary('greaterThan', decimal, decimal, (self, other) => self.greaterThan(other)),
  binary('greaterThanOrEqual', decimal, decimal, (self, other) => self.greaterThanOrEqual(other)),
  // datetime
  binary('offset', datetime, duration, (self, by) => self.offset(by)),
  binary('durationSince', datetime, datetime, (self, other) => self.durationSince(other)),
  unary('toDate', datetime, (self) => self.toDate()),
  unary('toTime', datetime, (self) => self.toTime()),
  // duration
  unary('toMilliseconds', duration, (self) => self.toMilliseconds()),
  unary('toSeconds', duration, (self) => self.toSeconds()),
  unary('toMinutes', duration, (self) => self.toMinutes()),
  unary('toHours', duration, (self) => self.toHours()),
  unary('toDays', duration, (self) => self.toDays()),
]);

/**
 * The value of `{"__extn": {"fn": fn, "arg": arg}}` in entity or context JSON: one of the four
 * constructors applied to a string. Throws CedarEvaluationError for an unknown constructor (Cedar
 * names the type `ipaddr` but its constructor `ip`; only `ip` is accepted) or a bad string.
 */
export function parseExtensionJson(fn: string, arg: string): ExtensionValue {
  const construct = CONSTRUCTORS.get(fn);
  if (construct === undefined) throw new CedarEvaluationError(`extension function \`${fn}\` does not exist or is not a constructor`);
  return construct(arg);
}
