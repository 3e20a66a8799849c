// Differential test of the decimal extension against cedar-wasm: seeded inputs around the 4-digit
// fraction limit, the i64 range of the scaled value, signs and malformed text, through `==` and
// the four comparison methods.
import { describe, expect, it } from 'vitest';
import { DecimalValue } from './decimal.js';
import { call, ctor, differential, input, Random, type Check } from './testing/differential-harness.js';

const WHOLES = ['0', '00', '1', '01', '9', '10', '42', '922337203685477', '922337203685476', '922337203685478', '0922337203685477', '9223372036854775807', '9223372036854775808', '18446744073709551616', '99999999999999999999'];
const FRACTIONS = ['0', '00', '000', '0000', '1', '5', '50', '500', '5000', '5807', '5808', '5809', '9999', '0001', '1234'];
const TRICKY = ['', '.', '1.', '.5', '1', '-', '-.5', '+1.0', '--1.0', '1.0.0', '1,0', ' 1.0', '1.0 ', '1e3', '1.0e1', 'NaN', 'Infinity', '0x1.0', '١.0', '1.٠', '1.00000', '1.12345', '-0.00001'];

function decimalString(random: Random): string {
  if (random.chance(0.08)) return random.pick(TRICKY);
  const sign = random.chance(0.4) ? '-' : '';
  const whole = random.chance(0.5) ? random.pick(WHOLES) : String(random.int(1000));
  let fraction = random.chance(0.5) ? random.pick(FRACTIONS) : random.digits(1 + random.int(4));
  if (random.chance(0.08)) fraction += random.digits(1 + random.int(2)); // 5 or more fraction digits
  return `${sign}${whole}.${fraction}`;
}

/** A string for the same or a nearby value: trailing zeros, ±1 in the last digit, sign flipped. */
function neighbour(random: Random, text: string): string {
  switch (random.int(4)) {
    case 0:
      return text.includes('.') ? text + '0'.repeat(random.int(3)) : text;
    case 1:
      return text.startsWith('-') ? text.slice(1) : `-${text}`;
    case 2:
      return text.replace(/[0-9]$/, (d) => String((Number(d) + random.pick([1, 9])) % 10));
    default:
      return decimalString(random);
  }
}

const METHODS = ['lessThan', 'lessThanOrEqual', 'greaterThan', 'greaterThanOrEqual'] as const;

function checks(random: Random, count: number): Check[] {
  const out: Check[] = [];
  for (let i = 0; i < count; i += 1) {
    const s = decimalString(random);
    const t = random.chance(0.6) ? neighbour(random, s) : decimalString(random);
    if (random.chance(0.3)) out.push({ op: random.pick(['==', '!='] as const), left: ctor('decimal', s), right: ctor('decimal', t) });
    else out.push({ test: call(random.pick(METHODS), ctor('decimal', s), ctor('decimal', t)) });
  }
  return out;
}

describe('decimal', () => {
  it('agrees with cedar-wasm on 6000 generated expressions', { timeout: 120_000 }, () => {
    const { disagreements, outcomes } = differential(checks(new Random(0xdec1), 6000));
    expect(disagreements.slice(0, 20)).toEqual([]);
    // The generator must reach all three outcomes, or agreement would prove little.
    expect(Math.min(outcomes.true, outcomes.false, outcomes.error)).toBeGreaterThan(300);
  });

  it('agrees with cedar-wasm on type errors and on the missing `<` operator', () => {
    const typeErrors: Check[] = [
      { test: call('lessThan', ctor('decimal', '1.0'), input('2.0')) },
      { test: call('lessThan', input('1.0'), ctor('decimal', '2.0')) },
      { test: call('lessThan', ctor('decimal', '1.0'), input(2)) },
      { test: call('lessThan', ctor('decimal', '1.0'), ctor('ip', '10.0.0.1')) },
      { test: call('decimal', input(1)) },
      { op: '<', left: ctor('decimal', '1.0'), right: ctor('decimal', '2.0') },
      { op: '>=', left: ctor('decimal', '1.0'), right: ctor('decimal', '1.0') },
      { op: '==', left: ctor('decimal', '1.0'), right: input(1) },
    ];
    expect(differential(typeErrors).disagreements).toEqual([]);
  });

  it('prints four fraction digits', () => {
    expect(DecimalValue.parse('-0.5').toString()).toBe('-0.5000');
    expect(DecimalValue.parse('-922337203685477.5808').toString()).toBe('-922337203685477.5808');
  });
});
