// Threat-intelligence signals: IP/CIDR and domain lists (text, CSV, STIX 2.1), feeds from files or
// URLs on a schedule, and the in-memory index the PDP looks requests up in.
export { parseThreatIndicators, parseThreatFeed, type ParseThreatOptions, type ThreatFileFormat, type ThreatFeedParse } from './parse-indicators.js';
export type { StixReport, StixSkipReason } from './parse-stix.js';
export { importThreatIndicators, type ThreatImportResult } from './import-indicators.js';
export { ThreatIndex } from './threat-index.js';
export { parseAddress, parsePrefix, type IpPrefix, type IpAddressBits, type IpFamily } from './ip-prefix.js';
export { parseDomainIndicator, type DomainIndicator } from './domain-name.js';
export { readThreatFile, threatFormatFor } from './feed-file.js';
export { startThreatFeeds, type ThreatFeeds, type ThreatFeedDeps, type ThreatFeedChange, type FeedOutcome, type FeedStatus, type FeedTimers, type ThreatSourceConfig } from './threat-feeds.js';
