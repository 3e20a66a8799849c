// Each detector against crafted histories: observations learned at injected times, then the
// request being decided. Real GeoIP (a tiny .mmdb through the maxmind package) for travel.
import { beforeAll, describe, expect, it } from 'vitest';
import type { AccessRequest } from '../../engine/tuple.js';
import { BehaviourAnalytics } from './behaviour-analytics.js';
import { DEFAULT_BEHAVIOUR_SETTINGS, type BehaviourSettings } from './behaviour-settings.js';
import { openMaxMindLocator, type GeoLocator } from './geo-locator.js';
import type { BehaviourObservation } from './observation.js';
import { LYON_IP, PARIS_IP, SYDNEY_IP, writeCityFixture } from './testing/city-fixture.js';

const ALICE = 'User::"alice"';
const T0 = Date.parse('2026-03-02T09:00:00Z'); // a Monday, 09:00 UTC
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

let locator: GeoLocator;
beforeAll(async () => {
  locator = await openMaxMindLocator(writeCityFixture());
});

function analytics(settings: BehaviourSettings = DEFAULT_BEHAVIOUR_SETTINGS, withGeo = true): BehaviourAnalytics {
  return new BehaviourAnalytics({ settings, ...(withGeo ? { locator } : {}) });
}

function seen(atMs: number, fields: Partial<BehaviourObservation> = {}): BehaviourObservation {
  return { subject: ALICE, atMs, resource: 'App::"wiki"', denied: false, deviceId: 'laptop-7', ...fields };
}

function request(fields: { deviceId?: string; ip?: string } = {}): AccessRequest {
  return { subject: { type: 'User', id: 'alice' }, action: { name: 'read' }, resource: { type: 'App', id: 'wiki' }, environment: fields.ip === undefined ? {} : { ip: fields.ip }, ...(fields.deviceId === undefined ? {} : { deviceId: fields.deviceId }) };
}

/** Ten working days, 09:00–17:00 UTC, three requests an hour from laptop-7 in Paris. */
function officeHistory(target: BehaviourAnalytics, days = 10): number {
  let last = T0;
  for (let day = 0; day < days; day += 1) {
    for (let hour = 0; hour < 8; hour += 1) {
      for (let i = 0; i < 3; i += 1) {
        last = T0 + day * DAY + hour * HOUR + i * 17 * MINUTE;
        target.learn(seen(last, { ip: PARIS_IP }));
      }
    }
  }
  return last;
}

const factors = (target: BehaviourAnalytics, req: AccessRequest, atMs: number) => target.assess(req, new Date(atMs)).map((signal) => signal.factor);

describe('behaviour analytics', () => {
  it('says nothing about a subject without a baseline', () => {
    expect(analytics().assess(request({ deviceId: 'new-phone', ip: SYDNEY_IP }), new Date(T0))).toEqual([]);
  });

  it('says nothing about ordinary behaviour: the known device, the usual place and hours', () => {
    const target = analytics();
    const last = officeHistory(target);
    expect(target.assess(request({ deviceId: 'laptop-7', ip: LYON_IP }), new Date(last + DAY - 7 * HOUR))).toEqual([]);
  });

  describe('new device', () => {
    it('fires for a device not used in the window, and names it', () => {
      const target = analytics();
      const last = officeHistory(target);
      const [signal] = target.assess(request({ deviceId: 'unknown-pc', ip: PARIS_IP }), new Date(last + 10 * MINUTE));
      expect(signal).toEqual({ factor: 'behaviour-new-device', source: 'behaviour', reason: 'new device: unknown-pc was not used by this subject in the last 30d' });
    });

    it('keeps a device new for the learning period, then knows it', () => {
      const target = analytics();
      const last = officeHistory(target);
      target.learn(seen(last + MINUTE, { deviceId: 'phone-2' }));
      expect(factors(target, request({ deviceId: 'phone-2' }), last + 20 * MINUTE)).toEqual(['behaviour-new-device']);
      expect(target.assess(request({ deviceId: 'phone-2' }), new Date(last + 20 * MINUTE))[0]?.reason).toBe('new device: phone-2 was first used 19m ago');
      expect(factors(target, request({ deviceId: 'phone-2' }), last + 2 * HOUR)).not.toContain('behaviour-new-device');
    });

    it('forgets a device unused for longer than the window', () => {
      const target = analytics();
      target.learn(seen(T0, { deviceId: 'old-laptop' }));
      for (let i = 1; i <= 25; i += 1) target.learn(seen(T0 + 31 * DAY + i * MINUTE));
      expect(factors(target, request({ deviceId: 'old-laptop' }), T0 + 31 * DAY + 30 * MINUTE)).toEqual(['behaviour-new-device']);
    });

    it('needs minEvents of history and another known device (a first device is enrolment)', () => {
      const short = analytics();
      for (let i = 0; i < 19; i += 1) short.learn(seen(T0 + i * MINUTE));
      expect(factors(short, request({ deviceId: 'unknown-pc' }), T0 + HOUR)).toEqual([]);
      const deviceless = analytics();
      for (let i = 0; i < 50; i += 1) deviceless.learn({ subject: ALICE, atMs: T0 + i * MINUTE, resource: 'App::"wiki"', denied: false });
      expect(factors(deviceless, request({ deviceId: 'first-laptop' }), T0 + 2 * HOUR)).toEqual([]);
    });
  });

  describe('impossible travel (GeoIP from a real .mmdb)', () => {
    it('fires for Paris → Sydney in 40 minutes, naming places, distance and time', () => {
      const target = analytics();
      target.learn(seen(T0, { ip: PARIS_IP }));
      const [signal] = target.assess(request({ ip: SYDNEY_IP }), new Date(T0 + 40 * MINUTE));
      expect(signal?.factor).toBe('behaviour-impossible-travel');
      expect(signal?.reason).toMatch(/^impossible travel: Paris, FR → Sydney, AU, 16,9\d\d km in 40 min \(limit 1,000 km\/h\)$/);
    });

    it('accepts the same trip a day later, and short hops at any speed', () => {
      const target = analytics();
      target.learn(seen(T0, { ip: PARIS_IP }));
      expect(factors(target, request({ ip: SYDNEY_IP }), T0 + 24 * HOUR)).toEqual([]);
      expect(factors(target, request({ ip: LYON_IP }), T0 + MINUTE)).toEqual([]); // ~390 km < minDistanceKm
    });

    it('is off without a GeoIP database', () => {
      const target = analytics(DEFAULT_BEHAVIOUR_SETTINGS, false);
      target.learn(seen(T0, { ip: PARIS_IP }));
      expect(factors(target, request({ ip: SYDNEY_IP }), T0 + MINUTE)).toEqual([]);
    });
  });

  describe('unusual hour', () => {
    it('fires at 03:00 UTC for an office-hours subject with enough history', () => {
      const target = analytics();
      const last = officeHistory(target);
      const at = Date.parse('2026-03-13T03:20:00Z');
      expect(last).toBeLessThan(at);
      const [signal] = target.assess(request({ deviceId: 'laptop-7' }), new Date(at));
      expect(signal).toEqual({ factor: 'behaviour-unusual-hour', source: 'behaviour', reason: "unusual hour: 03:00–04:00 UTC holds 0 of this subject's 240 recent requests over 10 days" });
    });

    it('needs minDays distinct days and minEvents decisions', () => {
      const fewDays = analytics();
      officeHistory(fewDays, 6); // 144 decisions over 6 days
      expect(factors(fewDays, request({ deviceId: 'laptop-7' }), Date.parse('2026-03-13T03:20:00Z'))).toEqual([]);
      const fewEvents = analytics();
      for (let day = 0; day < 10; day += 1) fewEvents.learn(seen(T0 + day * DAY));
      expect(factors(fewEvents, request({ deviceId: 'laptop-7' }), Date.parse('2026-03-13T03:20:00Z'))).toEqual([]);
    });

    it('accepts an hour holding at least maxShare of the activity', () => {
      const target = analytics({ ...DEFAULT_BEHAVIOUR_SETTINGS, unusualHour: { ...DEFAULT_BEHAVIOUR_SETTINGS.unusualHour, maxShare: 0.01 } });
      officeHistory(target);
      for (let day = 0; day < 3; day += 1) target.learn(seen(Date.parse('2026-03-13T03:05:00Z') + day * DAY)); // 3 of 243 ≥ 1%
      expect(factors(target, request({ deviceId: 'laptop-7' }), Date.parse('2026-03-16T03:30:00Z'))).toEqual([]);
    });
  });

  describe('denial burst', () => {
    it('fires at 10 denials across 5 resources within 5 minutes, not before', () => {
      const target = analytics();
      const resources = ['wiki', 'payroll', 'hr', 'git', 'vault'];
      for (let i = 0; i < 9; i += 1) target.learn(seen(T0 + i * 10_000, { denied: true, resource: `App::"${resources[i % 5]}"` }));
      expect(factors(target, request(), T0 + 95_000)).toEqual([]);
      target.learn(seen(T0 + 90_000, { denied: true, resource: 'App::"vault"' }));
      const [signal] = target.assess(request(), new Date(T0 + 95_000));
      expect(signal).toEqual({ factor: 'behaviour-denial-burst', source: 'behaviour', reason: 'denial burst: 10 denials across 5 resources in the last 5m (threshold 10 across 5)' });
      // The window passes: quiet again.
      expect(factors(target, request(), T0 + 6 * MINUTE)).toEqual([]);
    });

    it('does not fire for many denials on few resources (a misconfiguration, not probing)', () => {
      const target = analytics();
      for (let i = 0; i < 30; i += 1) target.learn(seen(T0 + i * 1000, { denied: true, resource: `App::"${i % 2 === 0 ? 'wiki' : 'git'}"` }));
      expect(factors(target, request(), T0 + 40_000)).toEqual([]);
    });
  });

  describe('request rate', () => {
    /** 40 active minutes with 2–4 requests each (95th percentile 4). */
    function steady(target: BehaviourAnalytics): number {
      let at = T0;
      for (let minute = 0; minute < 40; minute += 1) {
        for (let i = 0; i < 2 + (minute % 3); i += 1) {
          at = T0 + minute * 5 * MINUTE + i * 1000;
          target.learn(seen(at));
        }
      }
      return T0 + 40 * 5 * MINUTE;
    }

    it('fires above multiplier × p95 and the floor', () => {
      const target = analytics();
      const start = steady(target);
      for (let i = 0; i < 130; i += 1) target.learn(seen(start + i * 300));
      const [signal] = target.assess(request(), new Date(start + 130 * 300));
      expect(signal).toEqual({ factor: 'behaviour-request-rate', source: 'behaviour', reason: 'request rate: ~131 requests in the last minute; usually at most 4/min (95th percentile of 40 active minutes), limit 120' });
    });

    it('stays quiet under the floor, and without enough active minutes', () => {
      const target = analytics();
      const start = steady(target);
      for (let i = 0; i < 100; i += 1) target.learn(seen(start + i * 300));
      expect(factors(target, request(), start + 100 * 300)).toEqual([]);
      const fresh = analytics();
      for (let i = 0; i < 500; i += 1) fresh.learn(seen(T0 + i * 100));
      expect(factors(fresh, request(), T0 + 500 * 100)).toEqual([]);
    });
  });

  it('keeps at most maxSubjects baselines, dropping the least recently active', () => {
    const target = analytics({ ...DEFAULT_BEHAVIOUR_SETTINGS, maxSubjects: 2 });
    target.learn(seen(T0, { subject: 'User::"a"' }));
    target.learn(seen(T0, { subject: 'User::"b"' }));
    target.learn(seen(T0 + 1, { subject: 'User::"a"' }));
    target.learn(seen(T0 + 2, { subject: 'User::"c"' }));
    expect(target.subjects()).toBe(2);
    expect(target.assess({ ...request(), subject: { type: 'User', id: 'b' } }, new Date(T0))).toEqual([]);
  });
});
