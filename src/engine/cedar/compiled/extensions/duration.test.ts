// Differential test of the duration extension against cedar-wasm: seeded inputs with every unit,
// unit order and repetition, signs, and quantities at the i64 millisecond boundary, through `==`,
// the comparison operators and the to* conversions.
import { describe, expect, it } from 'vitest';
import { call, ctor, differential, input, Random, type Check } from './testing/differential-harness.js';
import { DurationValue } from './duration.js';

const UNITS = ['d', 'h', 'm', 's', 'ms'] as const;
const MS_PER_UNIT = { d: 86_400_000n, h: 3_600_000n, m: 60_000n, s: 1_000n, ms: 1n } as const;
const LIMIT = 2n ** 63n;
const TRICKY = ['', '-', '+1d', '--1d', '1', 'd', '1D', '1H', '1 d', '1d ', ' 1d', '1.5h', '1h-1m', '1s1m', '1ms1s', '1m1d', '1d1d', '1msms', '1mss', '1us', '1ns', '-1ms-', '١d', '0x1s', '1e3ms', 'P1D'];

function quantity(random: Random, unit: (typeof UNITS)[number]): string {
  const edge = LIMIT / MS_PER_UNIT[unit];
  switch (random.int(12)) {
    case 0:
    case 1:
    case 2:
      return String(random.pick([0, 1, 2, 23, 24, 59, 60, 999, 1000, 1001]));
    case 3:
      return String(edge + BigInt(random.int(3) - 2)); // edge-2 … edge: straddles i64 overflow
    case 4:
      return random.pick(['00', '007', '0000000000000000000000001', '18446744073709551615', '18446744073709551616', '9223372036854775807', '9223372036854775808']);
    default:
      return String(random.int(100_000));
  }
}

function durationString(random: Random): string {
  if (random.chance(0.06)) return random.pick(TRICKY);
  const units = UNITS.filter(() => random.chance(0.45));
  if (units.length === 0) units.push(random.pick(UNITS));
  if (random.chance(0.05)) units.reverse();
  const body = units.map((unit) => `${quantity(random, unit)}${unit}`).join('');
  return `${random.chance(0.4) ? '-' : ''}${body}`;
}

const CONVERSIONS = ['toMilliseconds', 'toSeconds', 'toMinutes', 'toHours', 'toDays'] as const;

function checks(random: Random, count: number): Check[] {
  const out: Check[] = [];
  for (let i = 0; i < count; i += 1) {
    const s = durationString(random);
    const t = random.chance(0.5) ? durationString(random) : s.replace(/^-?/, random.pick(['', '-']));
    // Our own reading of `s`, written back as milliseconds: Cedar must agree it is the same value.
    let mine: DurationValue | undefined;
    try {
      mine = DurationValue.parse(s);
    } catch {
      mine = undefined;
    }
    switch (random.int(5)) {
      case 0:
        out.push({ op: '==', left: ctor('duration', s), right: ctor('duration', `${mine?.ms ?? 0n}ms`) });
        break;
      case 1: {
        const conversion = random.pick(CONVERSIONS);
        const expected = mine === undefined ? 0n : mine[conversion]();
        // Longs beyond 2^53 do not survive a JSON number, so compare those through toMilliseconds.
        const right = expected > -(2n ** 52n) && expected < 2n ** 52n ? input(Number(expected)) : call('toMilliseconds', ctor('duration', `${expected}ms`));
        out.push({ op: '==', left: call(conversion, ctor('duration', s)), right });
        break;
      }
      default:
        out.push({ op: random.pick(['<', '<=', '>', '>=', '==', '!='] as const), left: ctor('duration', s), right: ctor('duration', t) });
        break;
    }
  }
  return out;
}

describe('duration', () => {
  it('agrees with cedar-wasm on 6000 generated expressions', { timeout: 120_000 }, () => {
    const { disagreements, outcomes } = differential(checks(new Random(0xd0), 6000));
    expect(disagreements.slice(0, 20)).toEqual([]);
    // The generator must reach all three outcomes, or agreement would prove little.
    expect(Math.min(outcomes.true, outcomes.false, outcomes.error)).toBeGreaterThan(300);
  });

  it('agrees with cedar-wasm on type errors', () => {
    const typeErrors: Check[] = [
      { test: call('toDays', input('1d')) },
      { test: call('toDays', ctor('datetime', '2024-01-01')) },
      { test: call('duration', input(5)) },
      { op: '<', left: ctor('duration', '1d'), right: input(5) },
      { op: '<', left: ctor('duration', '1d'), right: ctor('datetime', '2024-01-01') },
      { op: '==', left: ctor('duration', '0ms'), right: ctor('datetime', '1970-01-01') },
    ];
    expect(differential(typeErrors).disagreements).toEqual([]);
  });

  it('truncates conversions toward zero', () => {
    expect(DurationValue.parse('-1d23h59m59s999ms').toDays()).toBe(-1n);
    expect(DurationValue.parse('-999ms').toSeconds()).toBe(0n);
  });
});
