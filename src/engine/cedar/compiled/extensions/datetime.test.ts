// Differential test of the datetime extension against cedar-wasm: seeded inputs at year 0000/9999,
// leap days, invalid months/days/times, UTC offsets and malformed text, through `==`, the
// comparison operators, and offset/durationSince/toDate/toTime up to the i64 overflow.
import { describe, expect, it } from 'vitest';
import { DatetimeValue } from './datetime.js';
import { call, ctor, datetimeAt, differential, input, Random, type Check, type Term } from './testing/differential-harness.js';
import { DurationValue } from './duration.js';

const YEARS = ['0000', '0001', '0004', '0100', '0400', '1600', '1900', '1969', '1970', '2000', '2023', '2024', '2100', '9999'];
const MONTHS = ['01', '02', '03', '04', '06', '09', '11', '12'];
const DAYS = ['01', '15', '28', '29', '30', '31'];
const TRICKY_DATES = ['10000-01-01', '999-01-01', '2024-00-01', '2024-13-01', '2024-1-01', '2024-01-1', '2024-01-00', '2024-01-32', '2024-04-31', '2023-02-29', '1900-02-29', '2024/01/01', '+2024-01-01', '-0001-01-01', 'abcd-01-01', '２０２４-01-01'];
const TRICKY_TIMES = ['T24:00:00Z', 'T23:60:00Z', 'T23:59:60Z', 'T99:00:00Z', 'T1:00:00Z', 'T00:00Z', 'T00:00:00', 't00:00:00Z', 'T00:00:00z', ' 00:00:00Z', 'T00:00:00.1Z', 'T00:00:00.12Z', 'T00:00:00.1234Z', 'T00:00:00,123Z', 'T00:00:00.Z', 'T00:00:00+2400', 'T00:00:00+0060', 'T00:00:00+23:59', 'T00:00:00+1', 'T00:00:00+123', 'T00:00:00Z+0000', 'T00:00:00ZZ', 'T00:00:00.000', 'T', 'Z'];
const DURATIONS = ['0ms', '1ms', '-1ms', '1d', '-1d', '86399999ms', '-86400001ms', '1000000d', '-1000000d', '9223372036854775807ms', '-9223372036854775808ms', '9000000000000000000ms', '-9000000000000000000ms', '106751991167d', '-106751991167d'];

function two(n: number): string {
  return String(n).padStart(2, '0');
}

function datetimeString(random: Random): string {
  const tricky = random.chance(0.15);
  if (tricky && random.chance(0.5)) return random.pick(TRICKY_DATES) + (random.chance(0.5) ? 'T00:00:00Z' : '');
  const year = random.chance(0.5) ? random.pick(YEARS) : String(random.int(10000)).padStart(4, '0');
  const month = random.chance(0.5) ? random.pick(MONTHS) : two(1 + random.int(12));
  const day = random.chance(0.3) ? random.pick(DAYS) : two(1 + random.int(28));
  const date = `${year}-${month}-${day}`;
  if (tricky) return date + random.pick(TRICKY_TIMES);
  if (random.chance(0.25)) return date;
  const time = `T${two(random.pick([0, 23, random.int(24)]))}:${two(random.pick([0, 59, random.int(60)]))}:${two(random.pick([0, 59, random.int(60)]))}`;
  const millis = random.chance(0.4) ? `.${String(random.pick([0, 1, 999, random.int(1000)])).padStart(3, '0')}` : '';
  const zone = random.chance(0.4) ? 'Z' : `${random.pick(['+', '-'])}${two(random.pick([0, 1, 12, 23, random.int(24)]))}${two(random.pick([0, 30, 59, random.int(60)]))}`;
  return date + time + millis + zone;
}

function durationString(random: Random): string {
  return random.chance(0.5) ? random.pick(DURATIONS) : `${random.pick(['', '-'])}${random.int(100_000)}d${random.int(24)}h${random.int(100_000)}ms`;
}

/** What our own implementation makes of an expression, as a Cedar term Cedar must find equal. */
function expected<T>(compute: () => T, term: (value: T) => Term): Term {
  try {
    return term(compute());
  } catch {
    return ctor('duration', '0ms'); // ours errors, so Cedar must error too for the check to pass
  }
}

function checks(random: Random, count: number): Check[] {
  const out: Check[] = [];
  for (let i = 0; i < count; i += 1) {
    const s = datetimeString(random);
    const t = random.chance(0.3) ? s.replace(/Z$/, '+0000') : datetimeString(random);
    const d = durationString(random);
    const shifted = (): DatetimeValue => DatetimeValue.parse(s).offset(DurationValue.parse(d));
    const shiftedTerm = call('offset', ctor('datetime', s), ctor('duration', d));
    switch (random.int(8)) {
      case 0:
        out.push({ op: '==', left: ctor('datetime', s), right: expected(() => DatetimeValue.parse(s).epochMs, datetimeAt) });
        break;
      case 1:
      case 7:
        out.push({ op: random.pick(['<', '<=', '>', '>=', '==', '!='] as const), left: ctor('datetime', s), right: ctor('datetime', t) });
        break;
      case 2:
        out.push({ op: '==', left: shiftedTerm, right: expected(() => shifted().epochMs, datetimeAt) });
        break;
      case 3:
        out.push({ op: '==', left: call('toDate', shiftedTerm), right: expected(() => shifted().toDate().epochMs, datetimeAt) });
        break;
      case 4:
        out.push({ op: '==', left: call('toTime', shiftedTerm), right: expected(() => shifted().toTime().ms, (ms) => ctor('duration', `${ms}ms`)) });
        break;
      default: {
        const since = (): DurationValue => shifted().durationSince(DatetimeValue.parse(t));
        out.push({ op: '==', left: call('durationSince', shiftedTerm, ctor('datetime', t)), right: expected(() => since().ms, (ms) => ctor('duration', `${ms}ms`)) });
        break;
      }
    }
  }
  return out;
}

describe('datetime', () => {
  it('agrees with cedar-wasm on 6000 generated expressions', { timeout: 120_000 }, () => {
    const { disagreements, outcomes } = differential(checks(new Random(0xda7e), 6000));
    expect(disagreements.slice(0, 20)).toEqual([]);
    // The generator must reach all three outcomes, or agreement would prove little.
    expect(Math.min(outcomes.true, outcomes.false, outcomes.error)).toBeGreaterThan(300);
  });

  it('agrees with cedar-wasm on type errors', () => {
    const typeErrors: Check[] = [
      { test: call('toDate', input('2024-01-01')) },
      { test: call('offset', ctor('datetime', '2024-01-01'), ctor('datetime', '2024-01-01')) },
      { test: call('offset', ctor('datetime', '2024-01-01'), input(5)) },
      { test: call('durationSince', ctor('datetime', '2024-01-01'), ctor('duration', '1d')) },
      { test: call('toTime', ctor('duration', '1d')) },
      { test: call('datetime', input(0)) },
      { op: '<', left: ctor('datetime', '2024-01-01'), right: ctor('duration', '1d') },
      { op: '<', left: ctor('datetime', '2024-01-01'), right: input(1) },
    ];
    expect(differential(typeErrors).disagreements).toEqual([]);
  });
});
