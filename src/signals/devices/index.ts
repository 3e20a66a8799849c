// Device signals: inventory and posture imports (JSON, CSV).
export { parseDevices, MAX_FUTURE_SKEW_MS, type DeviceFileFormat, type ParseDevicesOptions } from './parse-devices.js';
export { importDevices, type DeviceImportResult } from './import-devices.js';
export { deviceJsonSchema } from './device-schema.js';
