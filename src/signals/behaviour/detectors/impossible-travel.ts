// behaviour-impossible-travel: the request's address is located so far from the subject's
// previous located request that getting there would take more than `maxSpeedKmh` (an airliner
// flies ~900 km/h). Jumps under `minDistanceKm` are ignored: GeoIP places an address to within
// tens or hundreds of kilometres, and a VPN exit a country away is common. Needs a GeoIP database.
import { RISK_FACTORS } from '../../../engine/reasons.js';
import { distanceKm } from '../geo-locator.js';
import { BEHAVIOUR_SOURCE, type BehaviourDetector } from './detector.js';

const numbers = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 0 });

function elapsedText(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 1) return 'under a minute';
  if (minutes < 120) return `${minutes} min`;
  return `${numbers.format(minutes / 60)} h`;
}

export const impossibleTravel: BehaviourDetector = (baseline, current, settings) => {
  const rule = settings.impossibleTravel;
  const previous = baseline.lastPlace;
  const here = current.place;
  if (!rule.enabled || previous === undefined || here === undefined) return undefined;
  const km = distanceKm(previous, here);
  if (km < rule.minDistanceKm) return undefined;
  // At least one minute: two requests in the same instant from far apart are as impossible as any.
  const hours = Math.max(current.atMs - previous.atMs, 60_000) / 3_600_000;
  const speed = km / hours;
  if (speed <= rule.maxSpeedKmh) return undefined;
  return {
    factor: RISK_FACTORS.behaviourImpossibleTravel,
    reason: `impossible travel: ${previous.label} → ${here.label}, ${numbers.format(km)} km in ${elapsedText(current.atMs - previous.atMs)} (limit ${numbers.format(rule.maxSpeedKmh)} km/h)`,
    source: BEHAVIOUR_SOURCE,
  };
};
