// What one subject usually does, learned from their decisions: devices used, active UTC hours and
// days, per-minute request counts, the last located address, and recent denials. Every part is
// bounded, so one subject costs at most a few KB however active it is:
//   devices ≤ 32 (least recently used dropped), days ≤ 64, completed minutes ≤ 240,
//   denials ≤ 256 and only those inside the denial window, hour counts halved past 100,000.
// Observations must arrive in time order (the baseline build reads the log in sequence order).
import type { GeoPlace } from './geo-locator.js';

const MAX_DEVICES = 32;
const MAX_DAYS = 64;
const MAX_MINUTES = 240;
const MAX_DENIALS = 256;
/** Past this many observations the hour counts are halved: old habits fade, and counts stay small. */
const HOUR_COUNT_CEILING = 100_000;
const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

export interface DeviceUse {
  readonly firstMs: number;
  readonly lastMs: number;
}

export interface PlaceAt extends GeoPlace {
  readonly atMs: number;
}

export interface Denial {
  readonly atMs: number;
  readonly resource: string;
}

export class SubjectBaseline {
  /** Observations counted in the hour histogram (decays with it). */
  events = 0;
  readonly hourCounts: number[] = new Array<number>(24).fill(0);
  /** Distinct UTC day numbers with activity, oldest first. */
  readonly days: number[] = [];
  readonly devices = new Map<string, DeviceUse>();
  /** Requests per completed active minute, oldest first. */
  readonly minuteCounts: number[] = [];
  /** The minute being counted (epoch minute) and its count; the previous minute's count when it was the one just before. */
  currentMinute = -1;
  currentMinuteCount = 0;
  previousMinuteCount = 0;
  lastPlace: PlaceAt | undefined;
  readonly denials: Denial[] = [];

  /** Learns one observation. `place` is where its address was located, when known. */
  observe(atMs: number, deviceId: string | undefined, place: GeoPlace | undefined, denial: { readonly resource: string; readonly windowMs: number } | undefined): void {
    this.countHour(atMs);
    this.countDay(atMs);
    this.countMinute(atMs);
    if (deviceId !== undefined) this.useDevice(deviceId, atMs);
    if (place !== undefined) this.lastPlace = { ...place, atMs };
    if (denial !== undefined) {
      this.pruneDenials(atMs - denial.windowMs);
      this.denials.push({ atMs, resource: denial.resource });
      if (this.denials.length > MAX_DENIALS) this.denials.shift();
    }
  }

  /** Drops denials older than `sinceMs`. */
  pruneDenials(sinceMs: number): void {
    while (this.denials.length > 0 && (this.denials[0]?.atMs ?? 0) < sinceMs) this.denials.shift();
  }

  /** Estimated requests in the 60 s ending at `atMs`, this one included (sliding-window estimate from two fixed minutes). */
  requestsInLastMinute(atMs: number): number {
    const minute = Math.floor(atMs / MINUTE_MS);
    const elapsed = (atMs - minute * MINUTE_MS) / MINUTE_MS;
    if (minute === this.currentMinute) return this.currentMinuteCount + this.previousMinuteCount * (1 - elapsed) + 1;
    if (minute === this.currentMinute + 1) return this.currentMinuteCount * (1 - elapsed) + 1;
    return 1;
  }

  private countHour(atMs: number): void {
    const hour = new Date(atMs).getUTCHours();
    this.hourCounts[hour] = (this.hourCounts[hour] ?? 0) + 1;
    this.events += 1;
    if (this.events > HOUR_COUNT_CEILING) {
      for (let h = 0; h < 24; h += 1) this.hourCounts[h] = Math.floor((this.hourCounts[h] ?? 0) / 2);
      this.events = this.hourCounts.reduce((sum, n) => sum + n, 0);
    }
  }

  private countDay(atMs: number): void {
    const day = Math.floor(atMs / DAY_MS);
    if (this.days.at(-1) === day) return;
    if (this.days.includes(day)) return;
    this.days.push(day);
    if (this.days.length > MAX_DAYS) this.days.shift();
  }

  private countMinute(atMs: number): void {
    const minute = Math.floor(atMs / MINUTE_MS);
    // A decision that finished a moment late (minute < current) counts in the current minute.
    if (minute <= this.currentMinute) {
      this.currentMinuteCount += 1;
      return;
    }
    if (this.currentMinute >= 0) {
      this.minuteCounts.push(this.currentMinuteCount);
      if (this.minuteCounts.length > MAX_MINUTES) this.minuteCounts.shift();
      this.previousMinuteCount = minute === this.currentMinute + 1 ? this.currentMinuteCount : 0;
    }
    this.currentMinute = minute;
    this.currentMinuteCount = 1;
  }

  private useDevice(deviceId: string, atMs: number): void {
    const known = this.devices.get(deviceId);
    this.devices.delete(deviceId);
    this.devices.set(deviceId, { firstMs: known?.firstMs ?? atMs, lastMs: Math.max(atMs, known?.lastMs ?? atMs) });
    if (this.devices.size > MAX_DEVICES) {
      const oldest = this.devices.keys().next().value;
      if (oldest !== undefined) this.devices.delete(oldest);
    }
  }
}

/** The p-th percentile (0..100, nearest rank) of the counts; 0 for none. */
export function percentile(counts: readonly number[], p: number): number {
  if (counts.length === 0) return 0;
  const sorted = [...counts].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] ?? 0;
}
