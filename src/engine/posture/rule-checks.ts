// The posture rules (config devices.posture.rules), one function per check. Each reads facts
// through a lookup that already chose, per fact, which trusted report it comes from, and answers
// with a short reason naming the value seen and the value required. A missing fact fails; a null
// fact (the source could not determine it) fails and says so.
import { secondsSince } from '../authn-facts.js';
import { formatDuration } from '../explain-duration.js';
import type { CustomPostureCheck } from '../settings.js';
import { POSTURE_CHECKS, type PostureCheck } from './posture-check.js';
import { isAtLeastVersion, parseVersion } from './version.js';

/** A fact as reported, with the source whose report it was taken from. */
export interface ReportedFact {
  readonly value: unknown;
  readonly source: string;
}

export type FactLookup = (fact: string) => ReportedFact | undefined;

export type RuleResult = PostureCheck & { readonly passesForSeconds?: number };

const pass = (name: string, reason: string): PostureCheck => ({ name, passed: true, reason });
const fail = (name: string, reason: string): PostureCheck => ({ name, passed: false, reason });

/** How a value appears in a reason: strings quoted (they may hold spaces), the rest as written. */
function show(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

/** The fact's value, or the failed check when it is missing or undetermined. */
function reported(name: string, fact: string, facts: FactLookup): { value: unknown } | PostureCheck {
  const seen = facts(fact);
  if (seen === undefined) return fail(name, `${fact} is not reported by a trusted source`);
  if (seen.value === null || seen.value === undefined) return fail(name, `the ${seen.source} could not determine ${fact}`);
  return { value: seen.value };
}

function isCheck(value: { value: unknown } | PostureCheck): value is PostureCheck {
  return 'passed' in value;
}

/** firewall, disk-encryption, screen-lock: a boolean fact that must be true. */
export function mustBeOn(name: string, fact: string, on: string, off: string, facts: FactLookup): PostureCheck {
  const seen = reported(name, fact, facts);
  if (isCheck(seen)) return seen;
  if (seen.value === true) return pass(name, on);
  if (seen.value === false) return fail(name, off);
  return fail(name, `${fact} is ${show(seen.value)}, not true or false`);
}

/** Agents report Node's platform names; inventories often spell the OS their own way. */
const OS_ALIASES: Readonly<Record<string, string>> = { darwin: 'macos', 'mac os x': 'macos', osx: 'macos', win32: 'windows' };

function normaliseOs(os: string): string {
  const lower = os.trim().toLowerCase();
  return Object.hasOwn(OS_ALIASES, lower) ? (OS_ALIASES[lower] ?? lower) : lower;
}

function versionText(value: unknown): string | undefined {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
}

/** os-version: the reported os must have a configured minimum, and osVersion must reach it. */
export function osVersionCheck(minimumByOs: Readonly<Record<string, string>>, facts: FactLookup): PostureCheck {
  const name = POSTURE_CHECKS.osVersion;
  const os = reported(name, 'os', facts);
  if (isCheck(os)) return os;
  if (typeof os.value !== 'string') return fail(name, `os ${show(os.value)} is not a name`);
  const osName = normaliseOs(os.value);
  const minimum = Object.hasOwn(minimumByOs, osName) ? minimumByOs[osName] : undefined;
  if (minimum === undefined) {
    const allowed = Object.keys(minimumByOs).sort().join(', ');
    return fail(name, `os ${osName} is not allowed${allowed === '' ? '' : ` (allowed: ${allowed})`}`);
  }
  const version = reported(name, 'osVersion', facts);
  if (isCheck(version)) return version;
  const text = versionText(version.value);
  if (text === undefined || parseVersion(text) === undefined) return fail(name, `osVersion ${show(version.value)} is not a version`);
  return isAtLeastVersion(text, minimum)
    ? pass(name, `osVersion ${text} is at least ${minimum} for ${osName}`)
    : fail(name, `osVersion ${text} is below ${minimum} for ${osName}`);
}

/** package-updates: the package manager installed or upgraded something within the limit. */
export function packageUpdatesCheck(maxAgeSeconds: number, facts: FactLookup, now: Date): RuleResult {
  const name = POSTURE_CHECKS.packageUpdates;
  const seen = reported(name, 'lastPackageUpdateAt', facts);
  if (isCheck(seen)) return seen;
  const age = typeof seen.value === 'string' ? secondsSince(seen.value, now) : undefined;
  if (age === undefined) return fail(name, `lastPackageUpdateAt ${show(seen.value)} is not a time`);
  const limit = formatDuration(maxAgeSeconds);
  if (age > maxAgeSeconds) return fail(name, `packages last updated ${formatDuration(age)} ago; limit ${limit}`);
  return { ...pass(name, `packages last updated ${formatDuration(age)} ago; limit ${limit}`), passesForSeconds: maxAgeSeconds - age };
}

/** agent-version: the Tenet agent that sent the newest trusted report is recent enough. */
export function agentVersionCheck(minimum: string, facts: FactLookup): PostureCheck {
  const name = POSTURE_CHECKS.agentVersion;
  const seen = reported(name, 'agentVersion', facts);
  if (isCheck(seen)) return seen;
  const text = versionText(seen.value);
  if (text === undefined || parseVersion(text) === undefined) return fail(name, `agentVersion ${show(seen.value)} is not a version`);
  return isAtLeastVersion(text, minimum) ? pass(name, `agentVersion ${text} is at least ${minimum}`) : fail(name, `agentVersion ${text} is below ${minimum}`);
}

function atLeast(value: unknown, minimum: string | number): boolean {
  if (typeof minimum === 'number') return typeof value === 'number' && value >= minimum;
  const text = versionText(value);
  return text !== undefined && isAtLeastVersion(text, minimum);
}

/** A configured check on any fact: every condition given (equals, oneOf, atLeast) must hold. */
export function customCheck(check: CustomPostureCheck, facts: FactLookup): PostureCheck {
  const seen = reported(check.name, check.fact, facts);
  if (isCheck(seen)) return seen;
  const { value } = seen;
  if (check.equals !== undefined && value !== check.equals) {
    return fail(check.name, `${check.fact} is ${show(value)}; required ${show(check.equals)}`);
  }
  if (check.oneOf !== undefined && !check.oneOf.some((allowed) => allowed === value)) {
    return fail(check.name, `${check.fact} is ${show(value)}; required one of ${check.oneOf.map(show).join(', ')}`);
  }
  if (check.atLeast !== undefined && !atLeast(value, check.atLeast)) {
    return fail(check.name, `${check.fact} is ${show(value)}; required at least ${show(check.atLeast)}`);
  }
  return pass(check.name, `${check.fact} is ${show(value)}`);
}
