// The registry's contract (names, arity, argument types, __extn JSON), and a golden table of the
// subtle Cedar 4.x rules, each checked against cedar-wasm as well as against our functions. Rows
// marked "regression" are rules an earlier Cedar release (and a first reading of its source)
// got differently: they are the disagreements this implementation must never reintroduce.
import { describe, expect, it } from 'vitest';
import { CedarEvaluationError, EntityUid, valueKey } from '../value.js';
import { call, ctor, differential, input, ours, type Check, type Outcome, type Term } from './testing/differential-harness.js';
import { DatetimeValue, DecimalValue, DurationValue, EXTENSION_FUNCTIONS, IpAddrValue, parseExtensionJson } from './index.js';

const ALL_FUNCTIONS = [
  'ip', 'decimal', 'datetime', 'duration',
  'isIpv4', 'isIpv6', 'isLoopback', 'isMulticast', 'isInRange',
  'lessThan', 'lessThanOrEqual', 'greaterThan', 'greaterThanOrEqual',
  'offset', 'durationSince', 'toDate', 'toTime',
  'toMilliseconds', 'toSeconds', 'toMinutes', 'toHours', 'toDays',
];

const eq = (left: Term, right: Term): Check => ({ op: '==', left, right });

/** name → check → Cedar 4.13's outcome. */
const SEMANTICS: readonly [string, Check, Outcome][] = [
  // ipaddr
  ['a single address is its own /32', eq(ctor('ip', '10.0.0.1'), ctor('ip', '10.0.0.1/32')), 'true'],
  ['host bits are kept: 10.0.0.1/24 != 10.0.0.0/24', eq(ctor('ip', '10.0.0.1/24'), ctor('ip', '10.0.0.0/24')), 'false'],
  ['host bits do not matter to isInRange', { test: call('isInRange', ctor('ip', '10.0.0.0/24'), ctor('ip', '10.0.0.255/24')) }, 'true'],
  ['IPv4-mapped IPv6 is not IPv4', eq(ctor('ip', '::ffff:a00:1'), ctor('ip', '10.0.0.1')), 'false'],
  ['IPv4-mapped IPv6 is never in an IPv4 range', { test: call('isInRange', ctor('ip', '::ffff:a00:1'), ctor('ip', '0.0.0.0/0')) }, 'false'],
  ['dotted IPv4 inside IPv6 is rejected', { test: call('isIpv6', ctor('ip', '::ffff:10.0.0.1')) }, 'error'],
  ['leading zero in an octet is rejected', { test: call('isIpv4', ctor('ip', '010.0.0.1')) }, 'error'],
  ['octet 256 is rejected', { test: call('isIpv4', ctor('ip', '10.0.0.256')) }, 'error'],
  ['IPv4 prefix 33 is rejected', { test: call('isIpv4', ctor('ip', '10.0.0.0/33')) }, 'error'],
  ['IPv6 prefix 129 is rejected', { test: call('isIpv6', ctor('ip', '::/129')) }, 'error'],
  ['zone ids are rejected', { test: call('isIpv6', ctor('ip', 'fe80::1%eth0')) }, 'error'],
  ['five hex digits in a group are rejected', { test: call('isIpv6', ctor('ip', '::00001')) }, 'error'],
  ['regression: a prefix with a leading zero is rejected', { test: call('isIpv4', ctor('ip', '10.0.0.0/08')) }, 'error'],
  ['regression: a prefix with a + sign is rejected', { test: call('isIpv4', ctor('ip', '10.0.0.0/+8')) }, 'error'],
  ['regression: inputs over 43 bytes are rejected', { test: call('isIpv6', ctor('ip', '0000:0000:0000:0000:0000:0000:0000:0000/0128')) }, 'error'],
  ['a 43-byte input is accepted', { test: call('isIpv6', ctor('ip', 'ABCD:EF01:2345:6789:ABCD:EF01:2345:6789/128')) }, 'true'],
  ['regression: 127.0.0.1/7 is not loopback (range exceeds 127/8)', { test: call('isLoopback', ctor('ip', '127.0.0.1/7')) }, 'false'],
  ['regression: ::1/127 is not loopback', { test: call('isLoopback', ctor('ip', '::1/127')) }, 'false'],
  ['224.0.0.0/3 is not multicast', { test: call('isMulticast', ctor('ip', '224.0.0.0/3')) }, 'false'],
  ['ff00::/8 is multicast', { test: call('isMulticast', ctor('ip', 'ff00::/8')) }, 'true'],
  ['ipaddr has no < operator', { op: '<', left: ctor('ip', '10.0.0.1'), right: ctor('ip', '10.0.0.2') }, 'error'],
  // decimal
  ['decimal equality ignores trailing zeros', eq(ctor('decimal', '1.0'), ctor('decimal', '1.00')), 'true'],
  ['regression: -0.5 is negative (not +0.5)', eq(ctor('decimal', '-0.5'), ctor('decimal', '0.5')), 'false'],
  ['regression: -0.5 is less than 0.0', { test: call('lessThan', ctor('decimal', '-0.5'), ctor('decimal', '0.0')) }, 'true'],
  ['-0.0 equals 0.0', eq(ctor('decimal', '-0.0'), ctor('decimal', '0.0')), 'true'],
  ['five fraction digits are rejected', { test: call('lessThan', ctor('decimal', '1.00000'), ctor('decimal', '2.0')) }, 'error'],
  ['digits are required before the point', { test: call('lessThan', ctor('decimal', '.5'), ctor('decimal', '2.0')) }, 'error'],
  ['the point is required', { test: call('lessThan', ctor('decimal', '1'), ctor('decimal', '2.0')) }, 'error'],
  ['a + sign is rejected', { test: call('lessThan', ctor('decimal', '+1.0'), ctor('decimal', '2.0')) }, 'error'],
  ['the largest decimal', { test: call('lessThan', ctor('decimal', '922337203685477.5806'), ctor('decimal', '922337203685477.5807')) }, 'true'],
  ['one past the largest decimal overflows', { test: call('lessThan', ctor('decimal', '922337203685477.5808'), ctor('decimal', '0.0')) }, 'error'],
  ['the smallest decimal', { test: call('lessThan', ctor('decimal', '-922337203685477.5808'), ctor('decimal', '0.0')) }, 'true'],
  ['decimal has no < operator', { op: '<', left: ctor('decimal', '1.0'), right: ctor('decimal', '2.0') }, 'error'],
  // datetime
  ['a date is midnight UTC', eq(ctor('datetime', '2024-01-01'), ctor('datetime', '2024-01-01T00:00:00Z')), 'true'],
  ['offsets are applied: +0100 is an hour earlier', eq(ctor('datetime', '2024-01-01T01:00:00+0100'), ctor('datetime', '2024-01-01')), 'true'],
  ['year 0000 is a leap year', eq(ctor('datetime', '0000-02-29'), ctor('datetime', '0000-02-29')), 'true'],
  ['1900-02-29 does not exist', eq(ctor('datetime', '1900-02-29'), ctor('datetime', '1900-02-29')), 'error'],
  ['second 60 is rejected', eq(ctor('datetime', '2016-12-31T23:59:60Z'), ctor('datetime', '2017-01-01')), 'error'],
  ['a time needs Z or an offset', eq(ctor('datetime', '2024-01-01T00:00:00'), ctor('datetime', '2024-01-01')), 'error'],
  ['offset hours stop at 23', eq(ctor('datetime', '2024-01-01T00:00:00+2400'), ctor('datetime', '2024-01-01')), 'error'],
  ['the offset has no colon', eq(ctor('datetime', '2024-01-01T00:00:00+01:00'), ctor('datetime', '2024-01-01')), 'error'],
  ['milliseconds take exactly three digits', eq(ctor('datetime', '2024-01-01T00:00:00.5Z'), ctor('datetime', '2024-01-01')), 'error'],
  ['toDate rounds down before 1970', eq(call('toDate', ctor('datetime', '1969-12-31T23:59:59Z')), ctor('datetime', '1969-12-31')), 'true'],
  ['toTime is never negative', eq(call('toTime', ctor('datetime', '1969-12-31T23:59:59Z')), ctor('duration', '23h59m59s')), 'true'],
  ['toDate overflows at the bottom of i64', eq(call('toDate', call('offset', ctor('datetime', '1970-01-01'), ctor('duration', '-9223372036854775808ms'))), ctor('datetime', '1970-01-01')), 'error'],
  ['offset overflows past i64', eq(call('offset', ctor('datetime', '1970-01-02'), ctor('duration', '9223372036854775807ms')), ctor('datetime', '1970-01-01')), 'error'],
  ['datetimes compare with <', { op: '<', left: ctor('datetime', '2024-01-01'), right: ctor('datetime', '2024-01-02') }, 'true'],
  ['datetime < duration is a type error', { op: '<', left: ctor('datetime', '2024-01-01'), right: ctor('duration', '1d') }, 'error'],
  ['the epoch datetime is not the zero duration', eq(ctor('datetime', '1970-01-01'), ctor('duration', '0ms')), 'false'],
  // duration
  ['units are interchangeable', eq(ctor('duration', '1h'), ctor('duration', '60m')), 'true'],
  ['units must come in order d h m s ms', eq(ctor('duration', '1s1m'), ctor('duration', '61s')), 'error'],
  ['a unit may not repeat', eq(ctor('duration', '1d1d'), ctor('duration', '2d')), 'error'],
  ['the sign applies to the whole duration', eq(ctor('duration', '-1h30m'), ctor('duration', '-90m')), 'true'],
  ['an empty duration is rejected', eq(ctor('duration', ''), ctor('duration', '0ms')), 'error'],
  ['a lone minus is rejected', eq(ctor('duration', '-'), ctor('duration', '0ms')), 'error'],
  ['-2^63 ms is representable', eq(call('toMilliseconds', ctor('duration', '-9223372036854775808ms')), call('toMilliseconds', ctor('duration', '-9223372036854775808ms'))), 'true'],
  ['2^63 ms overflows', eq(ctor('duration', '9223372036854775808ms'), ctor('duration', '0ms')), 'error'],
  ['conversions truncate toward zero', eq(call('toDays', ctor('duration', '-47h')), input(-1)), 'true'],
];

describe('extension semantics (Cedar 4.13)', () => {
  it.each(SEMANTICS)('%s', (_name, check, expected) => {
    expect(ours(check)).toBe(expected);
  });

  it('every row is what cedar-wasm answers', () => {
    const checks = SEMANTICS.map(([, check]) => check);
    const { disagreements, outcomes } = differential(checks);
    expect(disagreements).toEqual([]);
    expect(outcomes).toEqual({
      true: SEMANTICS.filter(([, , o]) => o === 'true').length,
      false: SEMANTICS.filter(([, , o]) => o === 'false').length,
      error: SEMANTICS.filter(([, , o]) => o === 'error').length,
    });
  });
});

describe('EXTENSION_FUNCTIONS', () => {
  it('has every Cedar 4.x extension function, keyed by its EST name', () => {
    expect([...EXTENSION_FUNCTIONS.keys()].sort()).toEqual([...ALL_FUNCTIONS].sort());
  });

  it('rejects a wrong number of arguments', () => {
    const ip = IpAddrValue.parse('10.0.0.1');
    expect(() => EXTENSION_FUNCTIONS.get('ip')?.([])).toThrow(CedarEvaluationError);
    expect(() => EXTENSION_FUNCTIONS.get('ip')?.(['10.0.0.1', '10.0.0.2'])).toThrow(CedarEvaluationError);
    expect(() => EXTENSION_FUNCTIONS.get('isIpv4')?.([ip, ip])).toThrow(CedarEvaluationError);
    expect(() => EXTENSION_FUNCTIONS.get('isInRange')?.([ip])).toThrow(CedarEvaluationError);
  });

  it('rejects arguments of the wrong type, naming the type', () => {
    expect(() => EXTENSION_FUNCTIONS.get('isIpv4')?.(['10.0.0.1'])).toThrow(/expected ipaddr, got string.*`ip` constructor/);
    expect(() => EXTENSION_FUNCTIONS.get('toDays')?.([EntityUid.of('User', 'alice')])).toThrow(/expected duration, got \(entity of type `User`\)/);
    expect(() => EXTENSION_FUNCTIONS.get('decimal')?.([1n])).toThrow(/expects a string, got long/);
  });

  it('returns Longs as bigint', () => {
    expect(EXTENSION_FUNCTIONS.get('toMilliseconds')?.([DurationValue.parse('-9223372036854775808ms')])).toBe(-(2n ** 63n));
  });

  it('gives equal values equal keys across types only when Cedar says ==', () => {
    expect(valueKey(DecimalValue.parse('1.0'))).toBe(valueKey(DecimalValue.parse('1.0000')));
    expect(valueKey(DatetimeValue.parse('1970-01-01'))).not.toBe(valueKey(DurationValue.parse('0ms')));
    expect(valueKey(IpAddrValue.parse('::'))).not.toBe(valueKey(IpAddrValue.parse('0.0.0.0/0')));
  });
});

describe('parseExtensionJson', () => {
  it('builds the four constructors', () => {
    expect(parseExtensionJson('ip', '10.0.0.0/8')).toBeInstanceOf(IpAddrValue);
    expect(parseExtensionJson('decimal', '1.5')).toBeInstanceOf(DecimalValue);
    expect(parseExtensionJson('datetime', '2024-10-15')).toBeInstanceOf(DatetimeValue);
    expect(parseExtensionJson('duration', '1h')).toBeInstanceOf(DurationValue);
  });

  it('rejects a bad string, a method and the type name `ipaddr` (as Cedar does)', () => {
    expect(() => parseExtensionJson('ip', '1.2.3.400')).toThrow(CedarEvaluationError);
    expect(() => parseExtensionJson('isIpv4', '1.2.3.4')).toThrow(CedarEvaluationError);
    expect(() => parseExtensionJson('ipaddr', '1.2.3.4')).toThrow(CedarEvaluationError);
  });
});
