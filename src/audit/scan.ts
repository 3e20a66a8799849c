// Streams a store's records in seq order, one page at a time, so verifying or exporting a log of
// any size holds only one page in memory.
import type { AuditStore } from '../store/ports.js';
import type { AuditRecord } from './record.js';

export const DEFAULT_SCAN_PAGE = 500;

export interface ScanOptions {
  /** First seq to read. Default 1. */
  readonly fromSeq?: number;
  /** Seq window per store read. Default 500. */
  readonly pageSize?: number;
}

/**
 * Yields every stored record with seq ≥ fromSeq. `range` reads a seq *window*, so a window can be
 * empty inside a gap (deleted records, or a forged record far beyond the end); the window then
 * doubles until it finds records, so crossing any gap takes a few dozen reads, and the scan ends
 * once it is past the last record.
 */
export async function* scanRecords(store: AuditStore, options: ScanOptions = {}): AsyncGenerator<AuditRecord> {
  const pageSize = Math.max(1, Math.trunc(options.pageSize ?? DEFAULT_SCAN_PAGE));
  let from = Math.max(1, Math.trunc(options.fromSeq ?? 1));
  let window = pageSize;
  let end: number | undefined;
  for (;;) {
    const page = await store.range(from, window);
    yield* page;
    from += window;
    if (page.length > 0) {
      window = pageSize;
      continue;
    }
    // Read the end lazily: only a gap or the true end produce an empty window.
    end ??= (await store.last())?.seq ?? 0;
    if (from > end) return;
    window = Math.min(window * 2, end - from + 1);
  }
}
