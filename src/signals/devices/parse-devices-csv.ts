// Parses a CSV device inventory. Columns (header row required, names case-insensitive):
//   id           required  device identifier
//   managed      required  true/false (also yes/no, 1/0)
//   status       required  active | quarantined | revoked
//   owner        optional  Cedar reference `User::"alice"`; empty = no owner
//   compliant    optional  true/false/empty — the source's own compliance verdict
//   observed_at  optional  ISO 8601 time with offset when the posture was observed; required on a
//                          row that has any posture (compliant or a fact)
//   any other column       a posture fact named after the column, e.g. `os`, `diskEncrypted`;
//                          cells `true`/`false` become booleans, everything else stays a string
//                          (versions like `14.10` must not become numbers), empty cells are omitted.
// Documented for users in docs/signals.md.
import type { ErrorIssue } from '../../errors.js';
import type { DevicePosture, DeviceRecord } from '../../engine/signals.js';
import { missingColumns, readCsvTable, type CsvRow } from '../csv-table.js';
import { parseEntityRefText } from '../entity-ref-text.js';
import { isIsoTimeWithOffset } from '../iso-time.js';
import { IMPORT_LIMITS } from '../limits.js';
import { deviceStatusSchema } from './device-schema.js';
import type { LocatedDevice } from './located-device.js';

const REQUIRED = ['id', 'managed', 'status'] as const;
const RESERVED = new Set(['id', 'owner', 'managed', 'status', 'compliant', 'observed_at']);
const TRUE = new Set(['true', 'yes', '1']);
const FALSE = new Set(['false', 'no', '0']);

export function parseDevicesCsv(text: string, source: string, fileName: string): { devices: LocatedDevice[]; issues: ErrorIssue[] } {
  const table = readCsvTable(text, fileName, { comments: false });
  if (table.columns.length === 0) return { devices: [], issues: [...table.issues] };
  const missing = missingColumns(table, REQUIRED, fileName);
  if (missing.length > 0) return { devices: [], issues: [...table.issues, ...missing] };

  // Fact columns keep the header's spelling (`diskEncrypted`), since policies refer to them by name.
  const factNames = new Map<string, string>();
  table.columns.forEach((column, i) => {
    if (!RESERVED.has(column)) factNames.set(column, table.headerNames[i] ?? column);
  });
  if (factNames.size > IMPORT_LIMITS.maxKeysPerRecord) {
    return { devices: [], issues: [{ path: `${fileName}:${table.headerLine}`, message: `${factNames.size} fact columns, over the limit of ${IMPORT_LIMITS.maxKeysPerRecord}` }] };
  }

  const devices: LocatedDevice[] = [];
  const issues = [...table.issues];
  for (const row of table.rows) {
    const where = `${fileName}:${row.line}`;
    const rowIssues: string[] = [];
    const device = parseRow(row, source, factNames, rowIssues);
    if (rowIssues.length > 0 || device === undefined) issues.push(...rowIssues.map((message) => ({ path: where, message })));
    else devices.push({ device, where });
  }
  return { devices, issues };
}

function parseRow(row: CsvRow, source: string, factNames: ReadonlyMap<string, string>, problems: string[]): DeviceRecord | undefined {
  const cell = (name: string): string => row.cells.get(name) ?? '';

  const id = cell('id');
  if (id === '') problems.push('column id: must not be empty');
  else if (id.length > IMPORT_LIMITS.maxIdLength) problems.push(`column id: at most ${IMPORT_LIMITS.maxIdLength} characters`);

  const managed = parseBoolean(cell('managed'));
  if (managed === undefined) problems.push(`column managed: expected true or false, got "${clip(cell('managed'))}"`);

  const status = deviceStatusSchema.safeParse(cell('status'));
  if (!status.success) problems.push(`column status: expected active, quarantined or revoked, got "${clip(cell('status'))}"`);

  const ownerText = cell('owner');
  const owner = ownerText === '' ? undefined : parseEntityRefText(ownerText);
  if (ownerText !== '' && owner === undefined) problems.push(`column owner: "${clip(ownerText)}" is not an entity reference; expected User::"alice"`);

  const compliantText = cell('compliant');
  const compliant = compliantText === '' ? undefined : parseBoolean(compliantText);
  if (compliantText !== '' && compliant === undefined) problems.push(`column compliant: expected true, false or empty, got "${clip(compliantText)}"`);

  const facts: Record<string, unknown> = {};
  for (const [column, name] of factNames) {
    const value = cell(column);
    if (value === '') continue;
    if (value.length > IMPORT_LIMITS.maxStringLength) problems.push(`column ${name}: value of ${value.length} characters, over the limit of ${IMPORT_LIMITS.maxStringLength}`);
    facts[name] = value === 'true' ? true : value === 'false' ? false : value;
  }

  const observedAt = cell('observed_at');
  const hasPosture = compliantText !== '' || Object.keys(facts).length > 0;
  if (observedAt !== '' && !isIsoTimeWithOffset(observedAt)) {
    problems.push(`column observed_at: expected an ISO 8601 time with an offset (2025-03-01T10:00:00Z), got "${clip(observedAt)}"`);
  } else if (observedAt === '' && hasPosture) {
    problems.push('column observed_at: required when the row has posture facts or compliant, since freshness is judged by it');
  }

  if (problems.length > 0 || managed === undefined || !status.success) return undefined;
  const record: { -readonly [K in keyof DeviceRecord]: DeviceRecord[K] } = { id, managed, status: status.data };
  if (owner !== undefined) record.owner = owner;
  if (observedAt !== '') {
    const posture: DevicePosture = { facts, observedAt, source };
    record.posture = compliant === undefined ? posture : { ...posture, compliant };
  }
  return record;
}

function parseBoolean(text: string): boolean | undefined {
  const lower = text.toLowerCase();
  return TRUE.has(lower) ? true : FALSE.has(lower) ? false : undefined;
}

function clip(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
