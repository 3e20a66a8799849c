// Cedar's `datetime` extension type: `datetime("2024-10-15T11:38:02.101+1134")`, the methods
// offset, durationSince, toDate, toTime, and the `<`/`<=`/`>`/`>=` operators (Cedar 4.x overloads
// them for datetime). A datetime is a signed 64-bit count of milliseconds since the Unix epoch,
// without leap seconds, as in cedar-policy-core 4.x `extensions/datetime.rs`.
// https://docs.cedarpolicy.com/policies/syntax-operators.html (reference: cedar-policy-core 4.x on docs.rs)
import { CedarEvaluationError, type ExtensionValue } from '../value.js';
import { fitsLong } from './arguments.js';
import { DurationValue } from './duration.js';

const MS_PER_DAY = 86_400_000n;

/**
 * The four accepted forms (datetime.rs): `YYYY-MM-DD`, `YYYY-MM-DDThh:mm:ssZ`,
 * `YYYY-MM-DDThh:mm:ss.SSSZ`, and either time form with `(+|-)hhmm` in place of `Z`. Exactly four
 * year digits (0000–9999), exactly three millisecond digits, no `:` inside the offset, no
 * lower-case `t`/`z`, and no bare time without `Z` or an offset.
 */
const DATETIME_PATTERN = /^([0-9]{4})-([0-9]{2})-([0-9]{2})(?:T([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]{3}))?(?:Z|([+-])([0-9]{2})([0-9]{2})))?$/;

export class DatetimeValue implements ExtensionValue {
  readonly extension = 'datetime' as const;
  /** The instant: `datetime("2024-01-01T01:00:00+0100") == datetime("2024-01-01")`. */
  readonly key: string;

  constructor(
    /** Milliseconds since 1970-01-01T00:00:00Z, within i64 (offset() can reach far beyond 9999). */
    readonly epochMs: bigint,
  ) {
    this.key = epochMs.toString();
  }

  /** Parses like Cedar's `datetime(s)`; throws CedarEvaluationError on anything Cedar rejects. */
  static parse(text: string): DatetimeValue {
    const match = DATETIME_PATTERN.exec(text);
    if (match === null) throw datetimeError(text, 'expected YYYY-MM-DD, optionally followed by Thh:mm:ss, optional .SSS, and Z or (+|-)hhmm');
    const field = (index: number): number => Number(match[index] ?? '0');
    const [year, month, day] = [field(1), field(2), field(3)];
    const [hour, minute, second, milli] = [field(4), field(5), field(6), field(7)];
    const [offsetHour, offsetMinute] = [field(9), field(10)];
    // Proleptic Gregorian calendar (chrono's NaiveDate): year 0 is a leap year.
    if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) throw datetimeError(text, 'invalid date');
    // No second 60: Cedar cannot tell a real leap second from a typo.
    if (hour > 23 || minute > 59 || second > 59) throw datetimeError(text, 'invalid hour/minute/second');
    // Offsets range over (-24:00, +24:00) with minutes below 60.
    if (offsetHour > 23 || offsetMinute > 59) throw datetimeError(text, 'invalid offset range');
    const offsetMs = (offsetHour * 3600 + offsetMinute * 60) * 1000 * (match[8] === '-' ? -1 : 1);
    // Every operand is below 2^53 in magnitude (|epoch| ≤ ~2.6e14 ms for years 0–9999).
    const epochMs = daysFromCivil(year, month, day) * 86_400_000 + ((hour * 60 + minute) * 60 + second) * 1000 + milli - offsetMs;
    return new DatetimeValue(BigInt(epochMs));
  }

  /** This instant moved by `duration`; an overflow of i64 is an error. */
  offset(duration: DurationValue): DatetimeValue {
    return new DatetimeValue(overflowChecked(this.epochMs + duration.ms, 'offset'));
  }

  /** `this - other` as a duration; an overflow of i64 is an error. */
  durationSince(other: DatetimeValue): DurationValue {
    return new DurationValue(overflowChecked(this.epochMs - other.epochMs, 'durationSince'));
  }

  /** Midnight UTC of this instant's day (rounding down, also before 1970); may overflow near -2^63. */
  toDate(): DatetimeValue {
    return new DatetimeValue(overflowChecked(this.epochMs - floorMod(this.epochMs, MS_PER_DAY), 'toDate'));
  }

  /** Time since midnight UTC, always in [0, 1 day). */
  toTime(): DurationValue {
    return new DurationValue(floorMod(this.epochMs, MS_PER_DAY));
  }

  compare(other: ExtensionValue): number {
    if (!(other instanceof DatetimeValue)) throw new CedarEvaluationError(`type error: expected datetime, got ${other.extension}`);
    return this.epochMs < other.epochMs ? -1 : this.epochMs > other.epochMs ? 1 : 0;
  }

  /** Cedar's own canonical form: `datetime("1970-01-01").offset(duration("<n>ms"))`. */
  toString(): string {
    return `datetime("1970-01-01").offset(duration("${this.epochMs}ms"))`;
  }
}

function datetimeError(text: string, reason: string): CedarEvaluationError {
  return new CedarEvaluationError(`error while evaluating \`datetime\` extension function: ${reason}: \`${text}\``);
}

function overflowChecked(value: bigint, method: string): bigint {
  if (!fitsLong(value)) throw new CedarEvaluationError(`error while evaluating \`${method}\` extension function: the result overflows a 64-bit millisecond count`);
  return value;
}

function floorMod(value: bigint, modulus: bigint): bigint {
  const remainder = value % modulus;
  return remainder < 0n ? remainder + modulus : remainder;
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Days from 1970-01-01 to the given proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}
