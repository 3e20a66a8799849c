// Behaviour analytics (NIST SP 800-207 §3.3.1, the contextual trust algorithm): the Policy
// Decision Point asks `assess` for the subject's behaviour risk signals before deciding, and tells
// `observe` each decision afterwards, which updates the subject's baseline and raises alerts for
// the behaviour factors the decision carried. Both are synchronous in-memory work (a GeoIP lookup
// at most), so they add microseconds to a decision and never wait on I/O.
//
// Memory: at most `maxSubjects` baselines (least recently active dropped first), each bounded as
// subject-baseline.ts says (a few KB); alert cooldowns likewise.
import { entityKey } from '../../engine/cedar/entity-key.js';
import type { Decision } from '../../engine/decision.js';
import type { SubjectRiskSignal } from '../../engine/signals.js';
import type { AccessRequest } from '../../engine/tuple.js';
import type { BehaviourAlerts } from './behaviour-alerts.js';
import type { BehaviourSettings } from './behaviour-settings.js';
import { BoundedLru } from './bounded-lru.js';
import { denialBurst } from './detectors/denial-burst.js';
import type { BehaviourDetector, CurrentRequest } from './detectors/detector.js';
import { impossibleTravel } from './detectors/impossible-travel.js';
import { newDevice } from './detectors/new-device.js';
import { requestRate } from './detectors/request-rate.js';
import { unusualHour } from './detectors/unusual-hour.js';
import type { GeoLocator, GeoPlace } from './geo-locator.js';
import { observationFromDecision, type BehaviourObservation } from './observation.js';
import { SubjectBaseline } from './subject-baseline.js';

const DETECTORS: readonly BehaviourDetector[] = [impossibleTravel, denialBurst, requestRate, newDevice, unusualHour];
const BEHAVIOUR_PREFIX = 'behaviour-';

export interface BehaviourAnalyticsOptions {
  readonly settings: BehaviourSettings;
  /** Undefined = no GeoIP database: impossible-travel detection is off. */
  readonly locator?: GeoLocator;
  /** Undefined = no alerts (tests of detection alone). */
  readonly alerts?: BehaviourAlerts;
}

export class BehaviourAnalytics {
  readonly #baselines: BoundedLru<string, SubjectBaseline>;

  constructor(private readonly options: BehaviourAnalyticsOptions) {
    this.#baselines = new BoundedLru(options.settings.maxSubjects);
  }

  /** The subject's behaviour risk signals for this request, judged against what came before it. */
  assess(request: AccessRequest, now: Date): SubjectRiskSignal[] {
    const baseline = this.#baselines.peek(entityKey(request.subject));
    if (baseline === undefined) return [];
    const place = this.#locate(request.environment.ip);
    const current: CurrentRequest = { atMs: now.getTime(), ...(request.deviceId === undefined ? {} : { deviceId: request.deviceId }), ...(place === undefined ? {} : { place }) };
    const signals: SubjectRiskSignal[] = [];
    for (const detect of DETECTORS) {
      const signal = detect(baseline, current, this.options.settings);
      if (signal !== undefined) signals.push(signal);
    }
    return signals;
  }

  /** After a decision: learn it, and alert on the behaviour factors it carried. */
  observe(request: AccessRequest, decision: Decision): void {
    const observation = observationFromDecision(request, decision);
    if (Number.isNaN(observation.atMs)) return;
    this.learn(observation);
    const alerts = this.options.alerts;
    if (alerts === undefined) return;
    for (const factor of decision.risk.factors) {
      if (!factor.name.startsWith(BEHAVIOUR_PREFIX)) continue;
      alerts.raise({ time: decision.decidedAt, subject: observation.subject, factor: factor.name, reason: factor.explanation, decisionId: decision.id, outcome: decision.outcome, riskScore: decision.risk.score });
    }
  }

  /** Updates the subject's baseline (live decisions and the history read at start). */
  learn(observation: BehaviourObservation): void {
    let baseline = this.#baselines.get(observation.subject);
    if (baseline === undefined) {
      baseline = new SubjectBaseline();
      this.#baselines.set(observation.subject, baseline);
    }
    const place = this.#locate(observation.ip);
    baseline.observe(observation.atMs, observation.deviceId, place, observation.denied ? { resource: observation.resource, windowMs: this.options.settings.denialBurst.windowMs } : undefined);
  }

  /** How many subjects have a baseline (for the start log and tests). */
  subjects(): number {
    return this.#baselines.size;
  }

  #locate(ip: string | undefined): GeoPlace | undefined {
    if (ip === undefined || this.options.locator === undefined || !this.options.settings.impossibleTravel.enabled) return undefined;
    return this.options.locator.locate(ip);
  }
}
