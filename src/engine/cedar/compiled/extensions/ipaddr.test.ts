// Differential test of the ipaddr extension against cedar-wasm: seeded tricky inputs around every
// parsing boundary, through every ipaddr function, `==` and isInRange.
import { describe, expect, it } from 'vitest';
import { call, ctor, differential, input, Random, type Check } from './testing/differential-harness.js';
import { IpAddrValue } from './ipaddr.js';


const VALID_OCTETS = ['0', '1', '10', '127', '128', '192', '223', '224', '239', '240', '255'];
const TRICKY_OCTETS = ['256', '300', '999', '1000', '00', '01', '010', '0x1', '', ' 1', '-1', '+1'];
const VALID_GROUPS = ['0', '00', '0000', '1', 'a', 'ff', 'FF', 'ff00', 'FF00', 'fe80', 'ffff', 'FFFF', 'abcd', '7f00'];
const TRICKY_GROUPS = ['00000', '12345', 'g', '', ' 1', '-1'];
const TRICKY_V4_PREFIXES = ['33', '64', '00', '01', '032', '+8', '-1', '', ' 8', '8 ', 'a', '1/2'];
const TRICKY_V6_PREFIXES = ['129', '200', '255', '256', '00', '01', '0128', '+64', '-0', ''];

/** Mostly well-formed (so that the methods get exercised), sometimes broken in one place. */
function ipv4(random: Random, tricky: boolean): string {
  const octet = (): string => (random.chance(0.5) ? String(random.int(256)) : random.pick(VALID_OCTETS));
  const octets = Array.from({ length: tricky && random.chance(0.2) ? random.pick([3, 5]) : 4 }, octet);
  if (tricky) octets[random.int(octets.length)] = random.pick(TRICKY_OCTETS);
  return octets.join('.');
}

function ipv6(random: Random, tricky: boolean): string {
  const group = (): string => (random.chance(0.5) ? random.int(65536).toString(16) : random.pick(VALID_GROUPS));
  const broken = (groups: string[]): string[] => {
    if (tricky && groups.length > 0) groups[random.int(groups.length)] = random.pick(TRICKY_GROUPS);
    return groups;
  };
  switch (random.int(tricky ? 6 : 3)) {
    case 0:
      return broken(Array.from({ length: tricky ? random.pick([7, 8, 9]) : 8 }, group)).join(':');
    case 1: {
      const headLength = random.int(tricky ? 8 : 5);
      const tailLength = random.int(tricky ? 9 - headLength : 8 - Math.max(headLength, 1));
      return `${broken(Array.from({ length: headLength }, group)).join(':')}::${Array.from({ length: tailLength }, group).join(':')}`;
    }
    case 2:
      return random.pick(['::', '::1', '::0', '::2', '0::1', '::1:0', 'ff00::', 'ff02::1', 'fe80::1', '::ffff:0:0', '::ffff:7f00:1', 'FF01::101', 'ff::', 'f00::', 'feff::']);
    case 3:
      return random.pick([':::', '::1::', '1:::2', ':1::', '1::2::3', '1:2:3:4:5:6:7:8::', '::1:2:3:4:5:6:7:8']);
    case 4:
      return `${random.pick(['::ffff:', '::', '64:ff9b::', '1:2:3:4:5:6:', '::ffff:0:'])}${ipv4(random, false)}`;
    default:
      return `${random.pick(['fe80::1', '::1', 'ff02::1'])}%${random.pick(['eth0', '1', ''])}`;
  }
}

function ipString(random: Random): string {
  const tricky = random.chance(0.3);
  const v6 = random.chance(0.45);
  let text = v6 ? ipv6(random, tricky) : ipv4(random, tricky);
  if (random.chance(0.5)) {
    const prefix = tricky && random.chance(0.3) ? random.pick(v6 ? TRICKY_V6_PREFIXES : TRICKY_V4_PREFIXES) : String(random.int(v6 ? 129 : 33));
    text += `/${prefix}`;
  }
  if (tricky && random.chance(0.1)) text = random.pick([' ', '\t', '\n']) + text;
  if (tricky && random.chance(0.1)) text += random.pick([' ', '\n', '/']);
  if (tricky && random.chance(0.05)) text = random.pick(['', 'localhost', '1.2.3.4:80', '[::1]', '١.2.3.4', 'ABCD:EF01:2345:6789:ABCD:EF01:2345:6789/128', '0ABCD:EF01:2345:6789:ABCD:EF01:2345:6789/12', '0000:0000:0000:0000:0000:0000:0000:0000/128', '0000:0000:0000:0000:0000:0000:0000:00000/12']);
  return text;
}

function checks(random: Random, count: number): Check[] {
  // A pool with many near-duplicates, so that `==` and isInRange pairs are often related.
  const pool = Array.from({ length: 400 }, () => ipString(random));
  const related = (text: string): string => {
    const address = text.split('/')[0] ?? text;
    const prefixes = address.includes(':') ? ['0', '7', '8', '9', '64', '120', '127', '128', '129'] : ['0', '3', '4', '5', '7', '8', '9', '16', '24', '31', '32', '33'];
    return random.chance(0.5) ? `${address}/${random.pick(prefixes)}` : address;
  };
  const out: Check[] = [];
  for (let i = 0; i < count; i += 1) {
    const s = random.chance(0.7) ? random.pick(pool) : ipString(random);
    const t = random.chance(0.5) ? related(s) : random.chance(0.5) ? random.pick(pool) : ipString(random);
    switch (random.int(7)) {
      case 0:
        out.push({ test: call('isIpv4', ctor('ip', s)) });
        break;
      case 1:
        out.push({ test: call('isIpv6', ctor('ip', s)) });
        break;
      case 2:
        out.push({ test: call('isLoopback', ctor('ip', s)) });
        break;
      case 3:
        out.push({ test: call('isMulticast', ctor('ip', s)) });
        break;
      case 4:
        out.push({ op: '==', left: ctor('ip', s), right: ctor('ip', t) });
        break;
      default:
        out.push({ test: call('isInRange', ctor('ip', s), ctor('ip', t)) });
        break;
    }
  }
  return out;
}

describe('ipaddr', () => {
  it('agrees with cedar-wasm on 6000 generated expressions', { timeout: 120_000 }, () => {
    const { disagreements, outcomes } = differential(checks(new Random(0x1a2b3c), 6000));
    expect(disagreements.slice(0, 20)).toEqual([]);
    // The generator must reach all three outcomes, or agreement would prove little.
    expect(Math.min(outcomes.true, outcomes.false, outcomes.error)).toBeGreaterThan(300);
  });

  it('agrees with cedar-wasm on type and arity errors', () => {
    const typeErrors: Check[] = [
      { test: call('isIpv4', input('10.0.0.1')) },
      { test: call('isIpv4', input(1)) },
      { test: call('ip', input(1)) },
      { test: call('isInRange', ctor('ip', '10.0.0.1'), input('10.0.0.0/8')) },
      { test: call('isInRange', ctor('ip', '10.0.0.1'), ctor('decimal', '1.0')) },
      { op: '<', left: ctor('ip', '10.0.0.1'), right: ctor('ip', '10.0.0.2') },
      { op: '==', left: ctor('ip', '10.0.0.1'), right: input('10.0.0.1') },
      { op: '!=', left: ctor('ip', '::'), right: ctor('ip', '0.0.0.0') },
    ];
    expect(differential(typeErrors).disagreements).toEqual([]);
  });

  it('keeps host bits and the prefix in the value', () => {
    expect(IpAddrValue.parse('10.0.0.1/24').toString()).toBe('10.0.0.1/24');
    expect(IpAddrValue.parse('::ffff:a00:1').toString()).toBe('0:0:0:0:0:ffff:a00:1/128');
  });
});
