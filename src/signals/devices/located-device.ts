// A device parsed from one row or element, with where it came from, so checks that span the
// whole file (duplicate ids, future observation times) can name the offending rows.
import type { DeviceRecord } from '../../engine/signals.js';

export interface LocatedDevice {
  readonly device: DeviceRecord;
  /** `[3]` for JSON, `devices.csv:4` for CSV. */
  readonly where: string;
}
