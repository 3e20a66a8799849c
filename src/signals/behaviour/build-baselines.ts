// Builds the baselines at start from the decision log: the records of the last
// `history.window` (at most `history.maxRecords` of the newest), read in sequence order a page at a
// time (src/audit/scan.ts), so the whole log is never in memory. Sequence order is time order (the
// log is appended as decisions are made), which the baselines need.
import { scanRecords } from '../../audit/scan.js';
import type { AuditStore } from '../../store/ports.js';
import type { BehaviourAnalytics } from './behaviour-analytics.js';
import { observationFromRecord } from './observation.js';

export interface BaselineBuildResult {
  /** Records read and learned from. */
  readonly records: number;
  readonly skipped: number;
  readonly fromSeq: number;
}

export async function buildBaselines(analytics: BehaviourAnalytics, audit: AuditStore, now: Date, window: { readonly windowMs: number; readonly maxRecords: number }): Promise<BaselineBuildResult> {
  const last = await audit.last();
  if (last === undefined) return { records: 0, skipped: 0, fromSeq: 1 };
  const since = new Date(now.getTime() - window.windowMs).toISOString();
  // The newest record older than the window (query answers newest first): the scan starts after it.
  const before = (await audit.query({ to: since, limit: 1 })).records[0];
  const fromSeq = Math.max(before === undefined ? 1 : before.seq + 1, last.seq - window.maxRecords + 1, 1);
  let records = 0;
  let skipped = 0;
  for await (const record of scanRecords(audit, { fromSeq })) {
    if (record.seq > last.seq) break; // decisions made while building are learned live
    const observation = observationFromRecord(record);
    if (observation === undefined || record.time < since) {
      skipped += 1;
      continue;
    }
    analytics.learn(observation);
    records += 1;
  }
  return { records, skipped, fromSeq };
}
