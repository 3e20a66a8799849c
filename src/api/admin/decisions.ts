// GET /admin/v1/decisions: search the decision log (subject, resource, outcome, time window),
// newest pages via an opaque cursor. Records are returned as stored, with their canonical body
// parsed back into JSON for reading; the hash chain fields stay as stored for verification.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AuditQuery, AuditRecord } from '../../audit/record.js';
import { TenetError } from '../../errors.js';
import type { Store } from '../../store/ports.js';
import { parseWith } from '../zod-issues.js';

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;

// Normalised to `toISOString()` form: records store that form, and stores may compare times as text.
const isoTime = z
  .string()
  .refine((value) => /^\d{4}-\d{2}-\d{2}T/.test(value) && !Number.isNaN(Date.parse(value)), {
    error: 'must be an ISO 8601 date-time such as "2025-06-27T18:03:00Z"',
  })
  .transform((value) => new Date(value).toISOString());

const decisionsQuery = z.object({
  subject: z.string().min(1).optional(),
  resource: z.string().min(1).optional(),
  outcome: z.enum(['allow', 'deny', 'step-up']).optional(),
  from: isoTime.optional(),
  to: isoTime.optional(),
  cursor: z.string().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(MAX_LIMIT).default(DEFAULT_LIMIT),
});

function present(record: AuditRecord): Record<string, unknown> {
  let body: unknown = record.body;
  try {
    body = JSON.parse(record.body);
  } catch {
    // Kept as the stored string: the record is still shown, and `tenet audit verify` will flag it.
  }
  return {
    seq: record.seq,
    decision_id: record.decisionId,
    time: record.time,
    pep: record.pep,
    ...(record.caller === undefined ? {} : { caller: record.caller }),
    subject: record.subject,
    action: record.action,
    resource: record.resource,
    outcome: record.outcome,
    body,
    prev_hash: record.prevHash,
    hash: record.hash,
  };
}

export function registerDecisionRoutes(app: FastifyInstance, store: Store): void {
  app.get('/decisions', async (request) => {
    const parsed = parseWith(decisionsQuery, request.query);
    if (!parsed.ok) throw new TenetError('TENET_ERR_REQUEST_INVALID_QUERY', 'Invalid query parameters.', parsed.issues);
    const { subject, resource, outcome, from, to, cursor, limit } = parsed.data;
    const query: AuditQuery = {
      limit,
      ...(subject === undefined ? {} : { subject }),
      ...(resource === undefined ? {} : { resource }),
      ...(outcome === undefined ? {} : { outcome }),
      ...(from === undefined ? {} : { from }),
      ...(to === undefined ? {} : { to }),
      ...(cursor === undefined ? {} : { cursor }),
    };
    const page = await store.audit.query(query);
    return {
      records: page.records.map(present),
      ...(page.nextCursor === undefined ? {} : { next_cursor: page.nextCursor }),
    };
  });
}
