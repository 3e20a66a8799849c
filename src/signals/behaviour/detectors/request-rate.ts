// behaviour-request-rate: the subject's requests in the last minute far exceed their usual rate
// (scripted access, a stolen session replayed by a tool). Rule: once the baseline holds at least
// `minMinutes` active minutes (minutes with a request), the estimated requests in the 60 s ending
// now (this one included) must exceed both `multiplier` × the 95th percentile of the subject's
// per-minute counts and the absolute `floor`.
import { RISK_FACTORS } from '../../../engine/reasons.js';
import { percentile } from '../subject-baseline.js';
import { BEHAVIOUR_SOURCE, type BehaviourDetector } from './detector.js';

export const requestRate: BehaviourDetector = (baseline, current, settings) => {
  const rule = settings.requestRate;
  if (!rule.enabled || baseline.minuteCounts.length < rule.minMinutes) return undefined;
  const rate = Math.round(baseline.requestsInLastMinute(current.atMs));
  const usual = percentile(baseline.minuteCounts, 95);
  const limit = Math.max(rule.floor, rule.multiplier * usual);
  if (rate <= limit) return undefined;
  return {
    factor: RISK_FACTORS.behaviourRequestRate,
    reason: `request rate: ~${rate} requests in the last minute; usually at most ${usual}/min (95th percentile of ${baseline.minuteCounts.length} active minutes), limit ${limit}`,
    source: BEHAVIOUR_SOURCE,
  };
};
