// Instants as the SQLite adapter stores them: ISO 8601 text with a date, a time and an explicit
// offset, plus its epoch-millisecond twin for comparisons. A time without an offset would be read in
// the server's local zone, so the same text could mean different instants on different hosts.
import { TenetError } from '../../errors.js';

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/i;

export function parseInstant(text: string): number | undefined {
  if (!ISO_INSTANT.test(text)) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}

/** A time inside a record being written: a bad one is a constraint violation (nothing is written). */
export function recordTime(text: string, field: string): number {
  const ms = parseInstant(text);
  if (ms === undefined) throw new TenetError('TENET_ERR_STORE_CONSTRAINT', `${field} "${text}" is not an ISO 8601 time with an offset; nothing was written`);
  return ms;
}

/** A time given as an argument (`at`, `before`): a bad one is the caller's mistake. */
export function argumentTime(text: string): number {
  const ms = parseInstant(text);
  if (ms === undefined) throw new TenetError('TENET_ERR_STORE_INVALID_ARGUMENT', `"${text}" is not an ISO 8601 time with an offset`);
  return ms;
}
