// Threat-intelligence signals: IP/CIDR list imports and the in-memory prefix index.
export { parseThreatIndicators, type ParseThreatOptions, type ThreatFileFormat } from './parse-indicators.js';
export { importThreatIndicators, type ThreatImportResult } from './import-indicators.js';
export { ThreatIndex } from './threat-index.js';
export { parseAddress, parsePrefix, type IpPrefix, type IpAddressBits, type IpFamily } from './ip-prefix.js';
