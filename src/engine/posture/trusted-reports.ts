// Which posture reports a decision may use (config devices.posture.sources): the newest report of
// each source, less the sources configured `ignore`, newest first. An ignored source never counts:
// not for compliance, not for freshness.
import type { PostureSettings, PostureSourceTrust } from '../settings.js';
import type { DevicePosture, DeviceRecord } from '../signals.js';

export interface TrustedReport {
  readonly posture: DevicePosture;
  readonly trust: Exclude<PostureSourceTrust, 'ignore'>;
  /** observedAt as epoch ms; -Infinity when unreadable, so such a report is taken as the oldest. */
  readonly observedMs: number;
}

export function sourceTrust(source: string, settings: PostureSettings): PostureSourceTrust {
  // Object.hasOwn: a source named "constructor" must not find the prototype's.
  return Object.hasOwn(settings.sources, source) ? (settings.sources[source] ?? settings.defaultSourceTrust) : settings.defaultSourceTrust;
}

function observedMs(posture: DevicePosture): number {
  const ms = Date.parse(posture.observedAt);
  return Number.isNaN(ms) ? Number.NEGATIVE_INFINITY : ms;
}

/**
 * Newest first; equal instants are ordered by source name so the answer does not depend on the
 * order a store returned them in.
 */
function newestFirst(a: TrustedReport, b: TrustedReport): number {
  if (a.observedMs !== b.observedMs) return a.observedMs > b.observedMs ? -1 : 1;
  return a.posture.source < b.posture.source ? -1 : a.posture.source > b.posture.source ? 1 : 0;
}

/**
 * The newest report per trusted source, newest first. Reads `postures` (one per source, from the
 * store) and `posture` (a caller that knows only the newest overall, e.g. an in-memory inventory);
 * when both name a source, its newer report is kept.
 */
export function trustedReports(device: DeviceRecord, settings: PostureSettings): TrustedReport[] {
  const bySource = new Map<string, TrustedReport>();
  const all = device.posture === undefined ? (device.postures ?? []) : [...(device.postures ?? []), device.posture];
  for (const posture of all) {
    const trust = sourceTrust(posture.source, settings);
    if (trust === 'ignore') continue;
    const report: TrustedReport = { posture, trust, observedMs: observedMs(posture) };
    const known = bySource.get(posture.source);
    if (known === undefined || report.observedMs > known.observedMs) bySource.set(posture.source, report);
  }
  return [...bySource.values()].sort(newestFirst);
}
