// Parses a device inventory file (JSON or CSV) into DeviceRecords, all or nothing: per-row
// validation plus whole-file checks (duplicate ids, observations dated in the future), and every
// problem reported at once. Freshness itself is judged later by the engine, from observedAt.
import type { ErrorIssue } from '../../errors.js';
import type { DeviceRecord } from '../../engine/signals.js';
import { importInvalid } from '../import-error.js';
import { IMPORT_LIMITS } from '../limits.js';
import type { LocatedDevice } from './located-device.js';
import { parseDevicesCsv } from './parse-devices-csv.js';
import { parseDevicesJson } from './parse-devices-json.js';

export type DeviceFileFormat = 'json' | 'csv';

export interface ParseDevicesOptions {
  /** Names the file in errors. Default `devices.<format>`. */
  readonly fileName?: string;
  /** The clock observation times are checked against. Default: now. */
  readonly now?: Date;
}

/**
 * How far in the future an observedAt may lie (clock skew between the source and Tenet). Beyond
 * it the report is rejected: a far-future time would look fresh forever to the engine.
 */
export const MAX_FUTURE_SKEW_MS = 5 * 60 * 1000;

/**
 * Parses `text` in `format`; `source` names the reporting system (`mdm-export`) and is the posture
 * source unless a JSON element names its own. Throws TenetError TENET_ERR_IMPORT_INVALID listing
 * every problem.
 */
export function parseDevices(text: string, format: DeviceFileFormat, source: string, options: ParseDevicesOptions = {}): DeviceRecord[] {
  const fileName = options.fileName ?? `devices.${format}`;
  if (source === '' || source.length > IMPORT_LIMITS.maxIdLength) {
    throw importInvalid(fileName, [{ path: 'source', message: `the source name must be 1 to ${IMPORT_LIMITS.maxIdLength} characters` }]);
  }
  const parsed = format === 'json' ? parseDevicesJson(text, source, fileName) : parseDevicesCsv(text, source, fileName);
  const issues = [...parsed.issues, ...duplicateIds(parsed.devices), ...futureObservations(parsed.devices, options.now ?? new Date()), ...agentImpersonation(parsed.devices)];
  if (issues.length > 0) throw importInvalid(fileName, issues);
  return parsed.devices.map((d) => d.device);
}

/**
 * The posture source `agent` is reserved for reports a device signed with its own key
 * (src/devices): an import claiming it would borrow the trust configured for signed reports.
 */
export const SIGNED_AGENT_SOURCE = 'agent';

function agentImpersonation(devices: readonly LocatedDevice[]): ErrorIssue[] {
  return devices
    .filter(({ device }) => device.posture?.source === SIGNED_AGENT_SOURCE)
    .map(({ where }) => ({ path: where, message: `the posture source "${SIGNED_AGENT_SOURCE}" is reserved for reports signed by the Tenet agent`, hint: 'name the importing system instead, e.g. mdm-export' }));
}

function duplicateIds(devices: readonly LocatedDevice[]): ErrorIssue[] {
  const first = new Map<string, string>();
  const issues: ErrorIssue[] = [];
  for (const { device, where } of devices) {
    const earlier = first.get(device.id);
    if (earlier === undefined) first.set(device.id, where);
    else issues.push({ path: where, message: `duplicate device id "${device.id}", first listed at ${earlier}`, hint: 'each device may appear once per file' });
  }
  return issues;
}

function futureObservations(devices: readonly LocatedDevice[], now: Date): ErrorIssue[] {
  const limit = now.getTime() + MAX_FUTURE_SKEW_MS;
  return devices
    .filter(({ device }) => device.posture !== undefined && Date.parse(device.posture.observedAt) > limit)
    .map(({ device, where }) => ({
      path: where,
      message: `posture observedAt ${device.posture?.observedAt} is in the future`,
      hint: "check the exporting system's clock; a future time would make the posture look fresh indefinitely",
    }));
}
