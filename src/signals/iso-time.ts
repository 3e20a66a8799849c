// The time format signal files must use: ISO 8601 with a date, a time and an explicit offset. A
// local time without offset would be judged fresh or stale (or expired) depending on the zone of
// the server that reads it.
import * as z from 'zod';

export const isoTimeWithOffset = z.iso.datetime({ offset: true, error: 'expected an ISO 8601 time with an offset, e.g. 2025-03-01T10:00:00Z' });

export function isIsoTimeWithOffset(text: string): boolean {
  return isoTimeWithOffset.safeParse(text).success;
}
