// Cedar's `duration` extension type: `duration("1d2h3m4s5ms")`, the conversions toMilliseconds,
// toSeconds, toMinutes, toHours, toDays, and the `<`/`<=`/`>`/`>=` operators (Cedar 4.x overloads
// them for duration). A duration is a signed 64-bit count of milliseconds, as in
// cedar-policy-core 4.x `extensions/datetime.rs`.
// https://docs.cedarpolicy.com/policies/syntax-operators.html (reference: cedar-policy-core 4.x on docs.rs)
import { CedarEvaluationError, type ExtensionValue } from '../value.js';
import { fitsLong } from './arguments.js';

/**
 * Cedar's pattern: an optional `-` for the whole duration, then each unit at most once and in
 * the order d, h, m, s, ms; every quantity an unsigned decimal of any length.
 */
const DURATION_PATTERN = /^(-?)(?:([0-9]+)d)?(?:([0-9]+)h)?(?:([0-9]+)m)?(?:([0-9]+)s)?(?:([0-9]+)ms)?$/;

const MS_PER_UNIT = [86_400_000n, 3_600_000n, 60_000n, 1_000n, 1n] as const;

export class DurationValue implements ExtensionValue {
  readonly extension = 'duration' as const;
  /** The millisecond count: `duration("1h") == duration("60m")`. */
  readonly key: string;

  constructor(
    /** Milliseconds, within i64. */
    readonly ms: bigint,
  ) {
    this.key = ms.toString();
  }

  /** Parses like Cedar's `duration(s)`; throws CedarEvaluationError on anything Cedar rejects. */
  static parse(text: string): DurationValue {
    const match = DURATION_PATTERN.exec(text);
    // The pattern alone would accept "" and "-": Cedar rejects both (no unit at all).
    if (match === null || text === '' || text === '-') {
      throw new CedarEvaluationError(`error while evaluating \`duration\` extension function: invalid duration pattern \`${text}\``);
    }
    let magnitude = 0n;
    MS_PER_UNIT.forEach((msPerUnit, i) => {
      const quantity = match[i + 2];
      if (quantity !== undefined) magnitude += BigInt(quantity) * msPerUnit;
    });
    // INVARIANT: every term has the sign of the whole, so Cedar's step-by-step checked arithmetic
    // overflows exactly when the exact total leaves i64 (-2^63 itself is allowed: "-9223372036854775808ms").
    const ms = match[1] === '-' ? -magnitude : magnitude;
    if (!fitsLong(ms)) throw new CedarEvaluationError(`error while evaluating \`duration\` extension function: \`${text}\` overflows a 64-bit millisecond count`);
    return new DurationValue(ms);
  }

  // The conversions truncate toward zero (Rust integer division): duration("-1ms").toSeconds() == 0.
  toMilliseconds(): bigint {
    return this.ms;
  }

  toSeconds(): bigint {
    return this.ms / 1_000n;
  }

  toMinutes(): bigint {
    return this.ms / 60_000n;
  }

  toHours(): bigint {
    return this.ms / 3_600_000n;
  }

  toDays(): bigint {
    return this.ms / 86_400_000n;
  }

  compare(other: ExtensionValue): number {
    if (!(other instanceof DurationValue)) throw new CedarEvaluationError(`type error: expected duration, got ${other.extension}`);
    return this.ms < other.ms ? -1 : this.ms > other.ms ? 1 : 0;
  }

  toString(): string {
    return `${this.ms}ms`;
  }
}
