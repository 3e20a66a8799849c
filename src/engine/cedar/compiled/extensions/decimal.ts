// Cedar's `decimal` extension: `decimal("…")` and the methods lessThan, lessThanOrEqual,
// greaterThan, greaterThanOrEqual. A decimal is a signed 64-bit integer scaled by 10^4, as in
// cedar-policy-core 4.x `extensions/decimal.rs`. Decimals have no `<`/`>` operators in Cedar 4.x
// (those take long, datetime and duration only), hence no `compare` here.
// https://docs.cedarpolicy.com/policies/syntax-operators.html (reference: cedar-policy-core 4.x on docs.rs)
import { CedarEvaluationError, type ExtensionValue } from '../value.js';
import { fitsLong } from './arguments.js';

/** Digits allowed after the point; the stored integer is the value times 10^4. */
const FRACTION_DIGITS = 4;

/** Cedar's pattern `-?[0-9]+\.[0-9]+`: a point with at least one digit on each side, no `+`. */
const DECIMAL_PATTERN = /^(-?)([0-9]+)\.([0-9]+)$/;

export class DecimalValue implements ExtensionValue {
  readonly extension = 'decimal' as const;
  /** The scaled integer: `decimal("1.0") == decimal("1.00")` because both are 10000. */
  readonly key: string;

  private constructor(
    /** value × 10^4, within i64: from -922337203685477.5808 to 922337203685477.5807. */
    readonly scaled: bigint,
  ) {
    this.key = scaled.toString();
  }

  /** Parses like Cedar's `decimal(s)`; throws CedarEvaluationError on anything Cedar rejects. */
  static parse(text: string): DecimalValue {
    const match = DECIMAL_PATTERN.exec(text);
    if (match === null) throw new CedarEvaluationError(`error while evaluating \`decimal\` extension function: \`${text}\` is not a well-formed decimal value`);
    const [, sign = '', whole = '', fraction = ''] = match;
    if (fraction.length > FRACTION_DIGITS) {
      throw new CedarEvaluationError(`error while evaluating \`decimal\` extension function: too many digits after the decimal in \`${text}\` (at most ${FRACTION_DIGITS})`);
    }
    // The sign applies to the whole number, so "-0.5" is -5000 (Cedar 4.x; early 2.x releases
    // read "-0" as 0 and produced +0.5).
    const magnitude = BigInt(whole) * 10n ** BigInt(FRACTION_DIGITS) + BigInt(fraction) * 10n ** BigInt(FRACTION_DIGITS - fraction.length);
    const scaled = sign === '-' ? -magnitude : magnitude;
    if (!fitsLong(scaled)) throw new CedarEvaluationError(`error while evaluating \`decimal\` extension function: overflow when converting \`${text}\` to decimal`);
    return new DecimalValue(scaled);
  }

  lessThan(other: DecimalValue): boolean {
    return this.scaled < other.scaled;
  }

  lessThanOrEqual(other: DecimalValue): boolean {
    return this.scaled <= other.scaled;
  }

  greaterThan(other: DecimalValue): boolean {
    return this.scaled > other.scaled;
  }

  greaterThanOrEqual(other: DecimalValue): boolean {
    return this.scaled >= other.scaled;
  }

  /** Canonical text with all four fraction digits, e.g. `-0.5000`. */
  toString(): string {
    const negative = this.scaled < 0n;
    const digits = (negative ? -this.scaled : this.scaled).toString().padStart(FRACTION_DIGITS + 1, '0');
    return `${negative ? '-' : ''}${digits.slice(0, -FRACTION_DIGITS)}.${digits.slice(-FRACTION_DIGITS)}`;
  }
}
