// Parses a JSON device inventory: an array of DeviceRecord-shaped objects (see device-schema.ts).
import type { ErrorIssue } from '../../errors.js';
import type { DevicePosture, DeviceRecord } from '../../engine/signals.js';
import { formatJsonPath, plainZodMessage } from '../import-error.js';
import { parseJsonText } from '../json-text.js';
import { deviceJsonSchema, type DeviceJson } from './device-schema.js';
import type { LocatedDevice } from './located-device.js';

export function parseDevicesJson(text: string, source: string, fileName: string): { devices: LocatedDevice[]; issues: ErrorIssue[] } {
  const json = parseJsonText(text, fileName);
  if (!json.ok) return { devices: [], issues: [json.issue] };
  if (!Array.isArray(json.value)) {
    return { devices: [], issues: [{ path: '(root)', message: 'expected an array of devices', hint: 'a device inventory is a JSON array: [{"id": "...", "managed": true, "status": "active"}]' }] };
  }
  const devices: LocatedDevice[] = [];
  const issues: ErrorIssue[] = [];
  json.value.forEach((element: unknown, index) => {
    const parsed = deviceJsonSchema.safeParse(element);
    if (parsed.success) devices.push({ device: toRecord(parsed.data, source), where: `[${index}]` });
    else for (const issue of parsed.error.issues) issues.push({ path: formatJsonPath([index, ...issue.path]), message: plainZodMessage(issue.message) });
  });
  return { devices, issues };
}

// Builds the record field by field: exactOptionalPropertyTypes forbids `owner: undefined`.
function toRecord(data: DeviceJson, source: string): DeviceRecord {
  const record: { -readonly [K in keyof DeviceRecord]: DeviceRecord[K] } = { id: data.id, managed: data.managed, status: data.status };
  if (data.owner !== undefined) record.owner = data.owner;
  if (data.attributes !== undefined) record.attributes = data.attributes;
  if (data.posture !== undefined) {
    const { facts, compliant, observedAt } = data.posture;
    const posture: DevicePosture = { facts, observedAt, source: data.posture.source ?? source };
    record.posture = compliant === undefined ? posture : { ...posture, compliant };
  }
  return record;
}
