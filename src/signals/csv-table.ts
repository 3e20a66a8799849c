// Reads a CSV import file into header + rows with line numbers. Tolerates what real exports
// contain — a UTF-8 BOM, CRLF line ends, blank lines, optionally `#` comment lines, spaces around cells —
// and reports rows with the wrong number of cells as issues instead of stopping at the first.
import { parse } from 'csv-parse/sync';
import type { ErrorIssue } from '../errors.js';
import { checkTextSize } from './json-text.js';

export interface CsvRow {
  /** 1-based line in the file where the row ends (a quoted cell may span lines). */
  readonly line: number;
  /** Cells by lower-cased, trimmed column name. */
  readonly cells: ReadonlyMap<string, string>;
}

export interface CsvTable {
  /** Column names, trimmed and lower-cased (how rows are keyed). */
  readonly columns: readonly string[];
  /** Column names as spelled in the header, same order as `columns`. */
  readonly headerNames: readonly string[];
  /** 1-based line of the header row (comment lines may precede it). */
  readonly headerLine: number;
  readonly rows: readonly CsvRow[];
  readonly issues: readonly ErrorIssue[];
}

interface ParsedRecord {
  readonly record: string[];
  readonly info: { readonly lines: number };
}

export interface CsvOptions {
  /**
   * Skip lines starting with `#`. Off for inventories, where a first cell starting with `#` is
   * data that must not vanish silently; on for threat feeds, which carry comment headers.
   */
  readonly comments: boolean;
}

const EMPTY = { columns: [], headerNames: [], headerLine: 0, rows: [] } as const;

/** Parses `text`; a file that is not CSV at all, or has no header, yields no columns and an issue. */
export function readCsvTable(text: string, fileName: string, options: CsvOptions): CsvTable {
  const tooLarge = checkTextSize(text, fileName);
  if (tooLarge !== undefined) return { ...EMPTY, issues: [tooLarge] };
  let records: ParsedRecord[];
  try {
    records = parse(text, {
      bom: true,
      relax_column_count: true,
      skip_empty_lines: true,
      trim: true,
      info: true,
      ...(options.comments ? { comment: '#', comment_no_infix: true } : {}),
    }) as unknown as ParsedRecord[];
  } catch (error) {
    const line = (error as { lines?: number }).lines;
    return { ...EMPTY, issues: [{ path: line === undefined ? fileName : `${fileName}:${line}`, message: `not valid CSV: ${(error as Error).message}`, hint: 'check for an unclosed double quote' }] };
  }

  const [header, ...body] = records;
  if (header === undefined) return { ...EMPTY, issues: [{ path: fileName, message: 'the file is empty; a header row is required' }] };
  const headerNames = header.record;
  const columns = headerNames.map((c) => c.toLowerCase());
  const issues: ErrorIssue[] = [];
  const seen = new Set<string>();
  for (const column of columns) {
    if (column === '') issues.push({ path: `${fileName}:${header.info.lines}`, message: 'the header has an empty column name' });
    else if (seen.has(column)) issues.push({ path: `${fileName}:${header.info.lines}`, message: `the header names column "${column}" twice` });
    seen.add(column);
  }

  // A broken header makes every row's meaning doubtful: report the header alone.
  if (issues.length > 0) return { columns, headerNames, headerLine: header.info.lines, rows: [], issues };

  const rows: CsvRow[] = [];
  for (const { record, info } of body) {
    if (record.length !== columns.length) {
      issues.push({ path: `${fileName}:${info.lines}`, message: `expected ${columns.length} cells (${columns.join(', ')}), found ${record.length}`, hint: 'quote cells that contain commas' });
      continue;
    }
    rows.push({ line: info.lines, cells: new Map(columns.map((c, i) => [c, record[i] ?? ''])) });
  }
  return { columns, headerNames, headerLine: header.info.lines, rows, issues };
}

/** Issues for required columns the header lacks. */
export function missingColumns(table: CsvTable, required: readonly string[], fileName: string): ErrorIssue[] {
  const present = new Set(table.columns);
  return required
    .filter((c) => !present.has(c))
    .map((c) => ({ path: `${fileName}:${table.headerLine}`, message: `missing required column "${c}"`, hint: `the header must include: ${required.join(', ')}` }));
}
