// Imports a device inventory file into the store: parse everything first, then one upsert
// transaction, so a bad file changes nothing (all or nothing, docs/signals.md). Devices absent
// from the file are left as they are: an inventory export may cover only part of the fleet.
import type { Store } from '../../store/ports.js';
import { parseDevices, type DeviceFileFormat, type ParseDevicesOptions } from './parse-devices.js';

export interface DeviceImportResult {
  /** Devices inserted or updated. */
  readonly imported: number;
  /** Of those, how many carried a posture report. */
  readonly withPosture: number;
}

export async function importDevices(
  store: Pick<Store, 'devices'>,
  text: string,
  format: DeviceFileFormat,
  source: string,
  options: ParseDevicesOptions = {},
): Promise<DeviceImportResult> {
  const devices = parseDevices(text, format, source, options);
  await store.devices.upsertMany(devices);
  return { imported: devices.length, withPosture: devices.filter((d) => d.posture !== undefined).length };
}
