// Imports a threat list into the store as the complete current list of its source: parse
// everything first, then replace that source's indicators in one transaction. A feed that drops
// a network must stop matching it, so this replaces rather than adds; other sources are untouched.
import type { Store } from '../../store/ports.js';
import { parseThreatIndicators, type ParseThreatOptions } from './parse-indicators.js';

export interface ThreatImportResult {
  /** Indicators now stored for the source (after merging duplicates). */
  readonly imported: number;
}

export async function importThreatIndicators(store: Pick<Store, 'threats'>, text: string, options: ParseThreatOptions): Promise<ThreatImportResult> {
  const indicators = parseThreatIndicators(text, options);
  await store.threats.replaceSource(options.source, indicators);
  return { imported: indicators.length };
}
