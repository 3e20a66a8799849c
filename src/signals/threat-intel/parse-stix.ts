// Reads a STIX 2.1 bundle (OASIS STIX 2.1 §8 bundle, §4.7 indicator) into threat indicators.
// Used: `indicator` objects with `pattern_type: "stix"` whose pattern is equality on IPv4/IPv6
// addresses or CIDRs and domain names, OR-combined (stix-pattern.ts); `valid_until` becomes the
// expiry; the category is the first `indicator_types` value, else the first `labels` value, else
// the feed's default. Skipped and counted, never guessed: other object types, other pattern
// languages, patterns with no list equivalent, values that are not valid addresses or names,
// revoked, benign, expired and not-yet-valid indicators. When an indicator appears in several
// versions (same id), only the newest `modified` counts (§3.1 versioning). A bundle that is not
// JSON or not a bundle is an error: nothing is imported.
import type { ErrorIssue } from '../../errors.js';
import type { ThreatIndicator } from '../../store/ports.js';
import { parseJsonText } from '../json-text.js';
import { IMPORT_LIMITS } from '../limits.js';
import { parseIndicatorValue } from './indicator-value.js';
import { parseStixPattern } from './stix-pattern.js';

export type StixSkipReason =
  | 'not-an-indicator'
  | 'malformed'
  | 'unsupported-pattern-type'
  | 'unsupported-pattern'
  | 'invalid-value'
  | 'revoked'
  | 'benign'
  | 'expired'
  | 'not-yet-valid'
  | 'superseded';

export interface StixReport {
  /** `indicator` objects in the bundle (every version counted). */
  readonly indicatorObjects: number;
  /** Indicators (values) produced. */
  readonly imported: number;
  /** Objects (or, for invalid-value, pattern values) skipped, by reason. */
  readonly skipped: Readonly<Partial<Record<StixSkipReason, number>>>;
  /** The first few skipped indicators with their reason, for the log (ids and reasons only). */
  readonly examples: readonly { readonly id: string; readonly reason: StixSkipReason; readonly detail: string }[];
}

export interface ParseStixOptions {
  readonly source: string;
  readonly defaultCategory: string;
  readonly now: Date;
  readonly fileName: string;
}

const MAX_EXAMPLES = 20;

interface StixIndicatorObject {
  readonly id: string;
  readonly modified?: unknown;
  readonly pattern?: unknown;
  readonly pattern_type?: unknown;
  readonly valid_from?: unknown;
  readonly valid_until?: unknown;
  readonly indicator_types?: unknown;
  readonly labels?: unknown;
  readonly revoked?: unknown;
}

export function parseStixBundle(text: string, options: ParseStixOptions): { indicators: ThreatIndicator[]; report: StixReport; issues: ErrorIssue[] } {
  const empty = { indicatorObjects: 0, imported: 0, skipped: {}, examples: [] };
  const json = parseJsonText(text, options.fileName);
  if (!json.ok) return { indicators: [], report: empty, issues: [json.issue] };
  const bundle = json.value;
  if (!isRecord(bundle) || bundle.type !== 'bundle' || !Array.isArray(bundle.objects)) {
    return {
      indicators: [],
      report: empty,
      issues: [{ path: options.fileName, message: 'not a STIX 2.1 bundle', hint: 'expected a JSON object with "type": "bundle" and an "objects" array' }],
    };
  }

  const skipped: Partial<Record<StixSkipReason, number>> = {};
  const examples: { id: string; reason: StixSkipReason; detail: string }[] = [];
  const skip = (id: string, reason: StixSkipReason, detail: string): void => {
    skipped[reason] = (skipped[reason] ?? 0) + 1;
    if (examples.length < MAX_EXAMPLES) examples.push({ id: id.slice(0, 200), reason, detail: detail.slice(0, 300) });
  };

  // Newest version of each indicator id first (§3.1: same id, later `modified` supersedes).
  const newest = new Map<string, StixIndicatorObject>();
  let indicatorObjects = 0;
  for (const object of bundle.objects as unknown[]) {
    if (!isRecord(object) || object.type !== 'indicator') {
      skip(isRecord(object) && typeof object.id === 'string' ? object.id : '(no id)', 'not-an-indicator', `type ${isRecord(object) ? String(object.type).slice(0, 40) : typeof object}`);
      continue;
    }
    indicatorObjects += 1;
    if (typeof object.id !== 'string' || object.id === '') {
      skip('(no id)', 'malformed', 'indicator without an id');
      continue;
    }
    const candidate = object as unknown as StixIndicatorObject;
    const earlier = newest.get(object.id);
    if (earlier === undefined) newest.set(object.id, candidate);
    else if (timeOf(candidate.modified) > timeOf(earlier.modified)) {
      newest.set(object.id, candidate);
      skip(object.id, 'superseded', `older version modified ${String(earlier.modified)}`);
    } else skip(object.id, 'superseded', `older version modified ${String(candidate.modified)}`);
  }

  const byValue = new Map<string, ThreatIndicator>();
  const nowMs = options.now.getTime();
  for (const object of newest.values()) {
    const { id } = object;
    if (typeof object.pattern !== 'string' || typeof object.pattern_type !== 'string') {
      skip(id, 'malformed', 'pattern and pattern_type must be strings');
      continue;
    }
    if (object.pattern_type !== 'stix') {
      skip(id, 'unsupported-pattern-type', `pattern_type "${object.pattern_type}"`);
      continue;
    }
    if (object.revoked === true) {
      skip(id, 'revoked', 'revoked: true');
      continue;
    }
    const types = stringList(object.indicator_types);
    if (types.includes('benign')) {
      skip(id, 'benign', 'indicator_types includes benign');
      continue;
    }
    const validUntil = object.valid_until;
    if (validUntil !== undefined && (typeof validUntil !== 'string' || Number.isNaN(Date.parse(validUntil)))) {
      skip(id, 'malformed', 'valid_until is not a timestamp');
      continue;
    }
    if (typeof validUntil === 'string' && Date.parse(validUntil) <= nowMs) {
      skip(id, 'expired', `valid_until ${validUntil}`);
      continue;
    }
    if (typeof object.valid_from === 'string' && Date.parse(object.valid_from) > nowMs) {
      // Not stored early: ThreatIndicator has no start time. A later refresh picks it up.
      skip(id, 'not-yet-valid', `valid_from ${object.valid_from}`);
      continue;
    }
    const pattern = parseStixPattern(object.pattern);
    if (!pattern.ok) {
      skip(id, 'unsupported-pattern', pattern.reason);
      continue;
    }
    const category = categoryOf(types, stringList(object.labels), options.defaultCategory);
    const expiresAt = typeof validUntil === 'string' ? new Date(validUntil).toISOString() : undefined;
    for (const { kind, value } of pattern.values) {
      const parsed = parseIndicatorValue(value);
      const expectedKind = kind === 'domain-name' ? 'domain' : 'prefix';
      // The raw text decides the family: `::ffff:192.0.2.1` is a valid ipv6-addr value (stored as IPv4).
      const wrongFamily = kind !== 'domain-name' && value.includes(':') !== (kind === 'ipv6-addr');
      // A wildcard is list syntax, not a STIX domain-name value (§6.4): the value is one name.
      if (!parsed.ok || parsed.kind !== expectedKind || wrongFamily || parsed.text.startsWith('*.')) {
        skip(id, 'invalid-value', `${kind} value "${value.slice(0, 80)}"${parsed.ok ? '' : `: ${parsed.message}`}`);
        continue;
      }
      addMerged(byValue, { indicator: parsed.text, category, source: options.source, addedAt: options.now.toISOString(), ...(expiresAt === undefined ? {} : { expiresAt }) });
    }
  }
  const indicators = [...byValue.values()];
  return { indicators, report: { indicatorObjects, imported: indicators.length, skipped, examples }, issues: [] };
}

/**
 * Two indicator objects may name the same value. One stored row per value and source: keep the
 * first category, and the later expiry (no expiry is the latest) so a value stays listed as long
 * as any indicator still lists it.
 */
function addMerged(byValue: Map<string, ThreatIndicator>, next: ThreatIndicator): void {
  const earlier = byValue.get(next.indicator);
  if (earlier === undefined) {
    byValue.set(next.indicator, next);
    return;
  }
  if (earlier.expiresAt === undefined) return;
  if (next.expiresAt === undefined) {
    const { expiresAt: _dropped, ...forever } = earlier;
    byValue.set(next.indicator, forever);
  } else if (Date.parse(next.expiresAt) > Date.parse(earlier.expiresAt)) {
    byValue.set(next.indicator, { ...earlier, expiresAt: next.expiresAt });
  }
}

function categoryOf(types: readonly string[], labels: readonly string[], fallback: string): string {
  const first = types[0] ?? labels[0];
  return first === undefined || first.length > IMPORT_LIMITS.maxIdLength ? fallback : first;
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string' && item !== '') : [];
}

function timeOf(value: unknown): number {
  const ms = typeof value === 'string' ? Date.parse(value) : NaN;
  return Number.isNaN(ms) ? -Infinity : ms;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
