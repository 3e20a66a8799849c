// JSON-lines export: one record per line, every stored field, with `body` inlined as a JSON object
// so a SIEM or `jq` can read it directly. The body is canonical JSON, so re-canonicalising the
// inlined object gives back the exact hashed text: an export stays verifiable (parseJsonLine +
// verifyRecords) without the database.
import { z } from 'zod';
import type { AuditStore } from '../../store/ports.js';
import type { AuditRecord } from '../record.js';
import { canonicalJson } from '../canonical.js';
import { scanRecords, type ScanOptions } from '../scan.js';
import { TenetError } from '../../errors.js';

/** One line, newline included. Field order is for people reading it; it is not hashed. */
export function recordToJsonLine(record: AuditRecord): string {
  const line: Record<string, unknown> = {
    seq: record.seq,
    decisionId: record.decisionId,
    time: record.time,
    pep: record.pep,
    ...(record.caller === undefined ? {} : { caller: record.caller }),
    subject: record.subject,
    action: record.action,
    resource: record.resource,
    outcome: record.outcome,
    prevHash: record.prevHash,
    hash: record.hash,
    body: JSON.parse(record.body) as unknown,
  };
  return `${JSON.stringify(line)}\n`;
}

export async function* exportJsonLines(store: AuditStore, options: ScanOptions = {}): AsyncGenerator<string> {
  for await (const record of scanRecords(store, options)) yield recordToJsonLine(record);
}

const hex64 = z.string().regex(/^[0-9a-f]{64}$/);
const jsonLine = z.object({
  seq: z.number().int().min(1),
  decisionId: z.string(),
  time: z.string(),
  pep: z.string(),
  caller: z.string().optional(),
  subject: z.string(),
  action: z.string(),
  resource: z.string(),
  outcome: z.enum(['allow', 'deny', 'step-up']),
  prevHash: hex64,
  hash: hex64,
  body: z.record(z.string(), z.unknown()),
});

/** Parses one exported line back into a record (for offline verification). */
export function parseJsonLine(line: string, lineNumber = 0): AuditRecord {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch (cause) {
    throw new TenetError('TENET_ERR_AUDIT_CORRUPT', `line ${lineNumber}: not JSON`, [{ path: `line ${lineNumber}`, message: 'not JSON' }], { cause });
  }
  const parsed = jsonLine.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => ({ path: `line ${lineNumber}: ${issue.path.join('.')}`, message: issue.message }));
    throw new TenetError('TENET_ERR_AUDIT_CORRUPT', `line ${lineNumber}: not an audit record`, issues);
  }
  const { caller, body, ...rest } = parsed.data;
  const record: AuditRecord = { ...rest, body: canonicalJson(body) };
  return caller === undefined ? record : { ...record, caller };
}
