// Reading a configured threat feed's file (at start, on reload, and on its refresh schedule), with
// the format defaulting from the name: `.csv` → csv, `.json` → stix (a STIX 2.1 bundle), anything
// else → text. URL feeds use the same defaulting on their path.
import { readFileSync } from 'node:fs';
import { parseThreatFeed, type ThreatFeedParse, type ThreatFileFormat } from './parse-indicators.js';

export interface ThreatFeedDescription {
  readonly source: string;
  readonly category: string;
  readonly format?: ThreatFileFormat | undefined;
}

export function threatFormatFor(name: string, format: ThreatFileFormat | undefined): ThreatFileFormat {
  if (format !== undefined) return format;
  const lower = name.toLowerCase();
  return lower.endsWith('.csv') ? 'csv' : lower.endsWith('.json') ? 'stix' : 'text';
}

/** Reads and parses `path`. Throws TenetError TENET_ERR_IMPORT_INVALID (nothing imported) or the fs error. */
export function readThreatFile(path: string, feed: ThreatFeedDescription, now: Date): ThreatFeedParse {
  return parseThreatFeed(readFileSync(path, 'utf8'), { format: threatFormatFor(path, feed.format), source: feed.source, category: feed.category, now, fileName: path });
}
