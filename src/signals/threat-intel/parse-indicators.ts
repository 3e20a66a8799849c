// Parses threat-intelligence lists into normalised indicators, all or nothing. Formats:
//   text  one IP, CIDR or domain (`evil.example`, `*.evil.example`; see domain-name.ts) per line; `#` and `;` start comments (so Spamhaus DROP-style
//         `1.10.16.0/20 ; SBL256894` lines load as is); blank lines ignored. The category comes
//         from the caller (config or `--category`), since the list does not say.
//   csv   header row with `indicator` (required), `category` (required unless the caller gives a
//         default), `expires_at` (optional ISO 8601 with offset); other columns are ignored; `#`
//         comment lines allowed. The indicator column takes the same values as a text line.
//   stix  a STIX 2.1 bundle (parse-stix.ts); unsupported objects are skipped and counted — use
//         parseThreatFeed to get that report, which this function drops.
// Duplicates: the same network listed twice with the same category and expiry is merged (feeds
// repeat themselves, e.g. `192.0.2.1` and `192.0.2.1/32`); listed twice with different ones is an
// error, because which one applies would be arbitrary.
import type { ErrorIssue } from '../../errors.js';
import type { ThreatIndicator } from '../../store/ports.js';
import { missingColumns, readCsvTable } from '../csv-table.js';
import { importInvalid } from '../import-error.js';
import { checkTextSize } from '../json-text.js';
import { isIsoTimeWithOffset } from '../iso-time.js';
import { IMPORT_LIMITS } from '../limits.js';
import { parseIndicatorValue } from './indicator-value.js';
import { parseStixBundle, type StixReport } from './parse-stix.js';

export type ThreatFileFormat = 'text' | 'csv' | 'stix';

export interface ParseThreatOptions {
  readonly format: ThreatFileFormat;
  /** The feed or file name the indicators are stored under (replacing that source's previous list). */
  readonly source: string;
  /** Category for every line of a text list; default for empty `category` cells in CSV. */
  readonly category?: string;
  /** Becomes each indicator's addedAt. */
  readonly now: Date;
  /** Names the file in errors. Default: the source. */
  readonly fileName?: string;
}

interface Candidate {
  readonly indicator: ThreatIndicator;
  readonly where: string;
}

/** Parses `text`. Throws TenetError TENET_ERR_IMPORT_INVALID listing every problem. */
export function parseThreatIndicators(text: string, options: ParseThreatOptions): ThreatIndicator[] {
  return parseThreatFeed(text, options).indicators;
}

export interface ThreatFeedParse {
  readonly indicators: ThreatIndicator[];
  /** For STIX bundles: what was skipped and why. Absent for text and CSV (which skip nothing). */
  readonly stix?: StixReport;
}

/** Like parseThreatIndicators, also returning the STIX skip report. */
export function parseThreatFeed(text: string, options: ParseThreatOptions): ThreatFeedParse {
  const fileName = options.fileName ?? options.source;
  const optionIssues = checkOptions(options);
  if (optionIssues.length > 0) throw importInvalid(fileName, optionIssues);
  if (options.format === 'stix') {
    const parsed = parseStixBundle(text, { source: options.source, defaultCategory: options.category ?? 'malicious', now: options.now, fileName });
    if (parsed.issues.length > 0) throw importInvalid(fileName, parsed.issues);
    return { indicators: parsed.indicators, stix: parsed.report };
  }

  const parsed = options.format === 'text' ? parseTextList(text, options, fileName) : parseCsvList(text, options, fileName);
  const merged = mergeDuplicates(parsed.candidates);
  const issues = [...parsed.issues, ...merged.issues];
  if (issues.length > 0) throw importInvalid(fileName, issues);
  return { indicators: merged.indicators };
}

function checkOptions(options: ParseThreatOptions): ErrorIssue[] {
  const issues: ErrorIssue[] = [];
  if (options.source === '' || options.source.length > IMPORT_LIMITS.maxIdLength) issues.push({ path: 'source', message: `must be 1 to ${IMPORT_LIMITS.maxIdLength} characters` });
  if (options.category !== undefined && (options.category === '' || options.category.length > IMPORT_LIMITS.maxIdLength)) {
    issues.push({ path: 'category', message: `must be 1 to ${IMPORT_LIMITS.maxIdLength} characters` });
  }
  if (options.format === 'text' && options.category === undefined) {
    issues.push({ path: 'category', message: 'a plain-text list needs a category from the caller', hint: 'set the category in the feed config or pass --category' });
  }
  if (Number.isNaN(options.now.getTime())) issues.push({ path: 'now', message: 'is not a valid date' });
  return issues;
}

function parseTextList(text: string, options: ParseThreatOptions, fileName: string): { candidates: Candidate[]; issues: ErrorIssue[] } {
  const tooLarge = checkTextSize(text, fileName);
  if (tooLarge !== undefined) return { candidates: [], issues: [tooLarge] };
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const candidates: Candidate[] = [];
  const issues: ErrorIssue[] = [];
  body.split(/\r\n|\n|\r/).forEach((rawLine, i) => {
    const line = rawLine.replace(/[#;].*$/, '').trim();
    if (line === '') return;
    const where = `${fileName}:${i + 1}`;
    const value = parseIndicatorValue(line);
    if (!value.ok) issues.push(withHint({ path: where, message: value.message }, value.hint ?? 'one IP, CIDR or domain per line; comments start with # or ;'));
    else candidates.push({ indicator: { indicator: value.text, category: options.category ?? '', source: options.source, addedAt: options.now.toISOString() }, where });
  });
  return { candidates, issues };
}

function parseCsvList(text: string, options: ParseThreatOptions, fileName: string): { candidates: Candidate[]; issues: ErrorIssue[] } {
  const table = readCsvTable(text, fileName, { comments: true });
  if (table.columns.length === 0) return { candidates: [], issues: [...table.issues] };
  const missing = missingColumns(table, options.category === undefined ? ['indicator', 'category'] : ['indicator'], fileName);
  if (missing.length > 0) return { candidates: [], issues: [...table.issues, ...missing] };

  const candidates: Candidate[] = [];
  const issues: ErrorIssue[] = [...table.issues];
  for (const row of table.rows) {
    const where = `${fileName}:${row.line}`;
    const problems: ErrorIssue[] = [];
    const value = parseIndicatorValue(row.cells.get('indicator') ?? '');
    if (!value.ok) problems.push(withHint({ path: where, message: `column indicator: ${value.message}` }, value.hint));

    const category = (row.cells.get('category') ?? '') || options.category;
    if (category === undefined) problems.push({ path: where, message: 'column category: must not be empty', hint: 'give a category per row or a default from the caller' });
    else if (category.length > IMPORT_LIMITS.maxIdLength) problems.push({ path: where, message: `column category: at most ${IMPORT_LIMITS.maxIdLength} characters` });

    const expiresAt = row.cells.get('expires_at') ?? '';
    if (expiresAt !== '' && !isIsoTimeWithOffset(expiresAt)) {
      problems.push({ path: where, message: `column expires_at: expected an ISO 8601 time with an offset (2025-12-31T00:00:00Z), got "${expiresAt.slice(0, 80)}"` });
    }

    if (problems.length > 0 || !value.ok || category === undefined) {
      issues.push(...problems);
      continue;
    }
    const base = { indicator: value.text, category, source: options.source, addedAt: options.now.toISOString() };
    candidates.push({ indicator: expiresAt === '' ? base : { ...base, expiresAt }, where });
  }
  return { candidates, issues };
}

function mergeDuplicates(candidates: readonly Candidate[]): { indicators: ThreatIndicator[]; issues: ErrorIssue[] } {
  const first = new Map<string, Candidate>();
  const issues: ErrorIssue[] = [];
  for (const candidate of candidates) {
    const earlier = first.get(candidate.indicator.indicator);
    if (earlier === undefined) {
      first.set(candidate.indicator.indicator, candidate);
    } else if (earlier.indicator.category !== candidate.indicator.category || earlier.indicator.expiresAt !== candidate.indicator.expiresAt) {
      issues.push({
        path: candidate.where,
        message: `${candidate.indicator.indicator} is listed again with a different category or expiry (first at ${earlier.where})`,
        hint: 'list each network once, or split the categories into separate sources',
      });
    }
  }
  return { indicators: [...first.values()].map((c) => c.indicator), issues };
}

function withHint(issue: ErrorIssue, hint: string | undefined): ErrorIssue {
  return hint === undefined ? issue : { ...issue, hint };
}
