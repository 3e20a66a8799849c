// The behaviour-analytics part of tenet.yaml (NIST SP 800-207 §3.3.1, contextual trust algorithm):
// per-subject baselines from the decision history and the detectors that compare each request with
// them. Same rules as schema.ts: strict objects, a default where one is safe, one line of
// documentation per key. The defaults are chosen not to fire on ordinary traffic: each detector
// needs a baseline with enough history before it says anything (docs/policies.md#behaviour-analytics).
import { z } from 'zod';
import { parseDuration } from './duration.js';

const duration = (description: string, fallback: string) =>
  z
    .string()
    .refine((value) => parseDuration(value) !== undefined, { message: 'expected a duration such as "90s", "15m", "1h" or "7d"' })
    .default(fallback)
    .describe(description);

const count = (description: string, fallback: number) => z.number().int().min(1).default(fallback).describe(description);

const secretRef = z
  .strictObject({
    file: z.string().min(1).optional().describe('File holding the secret.'),
    env: z.string().min(1).optional().describe('Environment variable holding the secret.'),
  })
  .refine((value) => (value.file === undefined) !== (value.env === undefined), 'give exactly one of file or env')
  .describe('A secret read from a file or an environment variable (never written in tenet.yaml).');

const newDevice = z
  .strictObject({
    enabled: z.boolean().default(true).describe('Raise behaviour-new-device for a device the subject has not used within behaviour.history.window.'),
    minEvents: count('Decisions the subject needs in the baseline before a device can be called new.', 20),
    learningPeriod: duration('A device stays new for this long after its first use.', '1h'),
  })
  .default({ enabled: true, minEvents: 20, learningPeriod: '1h' })
  .describe('New-device detection.');

const impossibleTravel = z
  .strictObject({
    enabled: z.boolean().default(true).describe('Raise behaviour-impossible-travel (needs behaviour.geoip.database).'),
    maxSpeedKmh: z.number().positive().default(1000).describe('Travel faster than this between two requests is impossible (an airliner flies ~900 km/h).'),
    minDistanceKm: z.number().min(0).default(500).describe('Shorter jumps are ignored: GeoIP places an address only to within tens or hundreds of km.'),
  })
  .default({ enabled: true, maxSpeedKmh: 1000, minDistanceKm: 500 })
  .describe('Impossible-travel detection.');

const unusualHour = z
  .strictObject({
    enabled: z.boolean().default(true).describe('Raise behaviour-unusual-hour for activity in a UTC hour the subject is (almost) never active in.'),
    minEvents: count('Decisions the baseline needs before hours are judged.', 100),
    minDays: count('Distinct UTC days of activity the baseline needs before hours are judged.', 7),
    maxShare: z.number().min(0).max(1).default(0.01).describe('An hour holding less than this share of the subject\'s activity is unusual.'),
  })
  .default({ enabled: true, minEvents: 100, minDays: 7, maxShare: 0.01 })
  .describe('Unusual-hour detection.');

const denialBurst = z
  .strictObject({
    enabled: z.boolean().default(true).describe('Raise behaviour-denial-burst when a subject is denied on many resources in a short time (lateral-movement probing).'),
    denials: count('At least this many denials…', 10),
    resources: count('…across at least this many distinct resources…', 5),
    window: duration('…within this window.', '5m'),
  })
  .default({ enabled: true, denials: 10, resources: 5, window: '5m' })
  .describe('Denial-burst detection.');

const requestRate = z
  .strictObject({
    enabled: z.boolean().default(true).describe('Raise behaviour-request-rate when the subject\'s requests in the last minute far exceed their usual rate.'),
    multiplier: z.number().min(1).default(5).describe('Fires above this multiple of the 95th percentile of the subject\'s per-minute request counts…'),
    floor: count('…and above this many requests per minute, whatever the baseline.', 120),
    minMinutes: count('Active minutes the baseline needs before rates are judged.', 30),
  })
  .default({ enabled: true, multiplier: 5, floor: 120, minMinutes: 30 })
  .describe('Request-rate detection.');

const webhook = z
  .strictObject({
    url: z
      .string()
      .url()
      .refine((value) => /^https?:\/\//.test(value), { message: 'expected an http:// or https:// URL' })
      .describe('Where alerts are POSTed as JSON.'),
    secret: secretRef.describe('HMAC-SHA256 key for the Tenet-Signature header (from a file or an environment variable).'),
    timeout: duration('Per-attempt timeout.', '5s'),
    retries: z.number().int().min(0).max(10).default(3).describe('Further attempts after a failure (network error, timeout, 429 or 5xx), with doubling backoff from 1s.'),
  })
  .describe('Alert webhook.');

export const behaviourSchema = z
  .strictObject({
    enabled: z.boolean().default(true).describe('Behaviour analytics on or off.'),
    history: z
      .strictObject({
        window: duration('Baselines cover this much decision history (read from the decision log at start, then updated per decision).', '30d'),
        maxRecords: count('At most this many of the newest decision-log records are read at start.', 200_000),
      })
      .default({ window: '30d', maxRecords: 200_000 })
      .describe('The decision history baselines are built from.'),
    maxSubjects: count('Subjects kept in memory (least recently active dropped first; each takes at most a few KB).', 10_000),
    newDevice,
    impossibleTravel,
    unusualHour,
    denialBurst,
    requestRate,
    geoip: z
      .strictObject({
        database: z.string().min(1).optional().describe('MaxMind-format .mmdb city database (GeoLite2-City, GeoIP2-City, DB-IP); without it impossible-travel detection is off.'),
      })
      .default({})
      .describe('IP geolocation.'),
    alerts: z
      .strictObject({
        cooldown: duration('A behaviour factor alerts once per subject within this time.', '1h'),
        webhook: webhook.optional(),
      })
      .default({ cooldown: '1h' })
      .describe('Alerts when a behaviour factor fires: a structured log line, and the webhook when configured.'),
  })
  .default({
    enabled: true,
    history: { window: '30d', maxRecords: 200_000 },
    maxSubjects: 10_000,
    newDevice: { enabled: true, minEvents: 20, learningPeriod: '1h' },
    impossibleTravel: { enabled: true, maxSpeedKmh: 1000, minDistanceKm: 500 },
    unusualHour: { enabled: true, minEvents: 100, minDays: 7, maxShare: 0.01 },
    denialBurst: { enabled: true, denials: 10, resources: 5, window: '5m' },
    requestRate: { enabled: true, multiplier: 5, floor: 120, minMinutes: 30 },
    geoip: {},
    alerts: { cooldown: '1h' },
  })
  .describe('Behaviour analytics: per-subject baselines and anomaly risk factors (behaviour-*).');

export type BehaviourConfig = z.infer<typeof behaviourSchema>;
