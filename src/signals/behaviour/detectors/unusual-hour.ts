// behaviour-unusual-hour: the request falls in a UTC hour the subject is (almost) never active in.
// Rule: once the baseline holds at least `minEvents` decisions over at least `minDays` distinct UTC
// days, the hour is unusual when it holds less than `maxShare` of them (default 1%: with 100
// decisions, none at that hour; with 1,000, fewer than 10).
import { RISK_FACTORS } from '../../../engine/reasons.js';
import { BEHAVIOUR_SOURCE, type BehaviourDetector } from './detector.js';

const two = (n: number): string => String(n).padStart(2, '0');

export const unusualHour: BehaviourDetector = (baseline, current, settings) => {
  const rule = settings.unusualHour;
  if (!rule.enabled || baseline.events < rule.minEvents || baseline.days.length < rule.minDays) return undefined;
  const hour = new Date(current.atMs).getUTCHours();
  const inHour = baseline.hourCounts[hour] ?? 0;
  if (inHour >= rule.maxShare * baseline.events) return undefined;
  return {
    factor: RISK_FACTORS.behaviourUnusualHour,
    reason: `unusual hour: ${two(hour)}:00–${two((hour + 1) % 24)}:00 UTC holds ${inHour} of this subject's ${baseline.events} recent requests over ${baseline.days.length} days`,
    source: BEHAVIOUR_SOURCE,
  };
};
