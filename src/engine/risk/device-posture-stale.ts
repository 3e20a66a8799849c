// Risk factor `device-posture-stale`: the posture is older than the freshness limit, or was never
// reported. A missing signal is an explicit risk, never an implicit pass (NIST SP 800-207 §3.3).
import { postureAgeSeconds } from '../device-facts.js';
import { formatDuration } from '../explain-duration.js';
import { RISK_FACTORS } from '../reasons.js';
import { riskFactor, type RiskCriterion } from './criterion.js';

export const devicePostureStale: RiskCriterion = (_request, signals, settings) => {
  const device = signals.device;
  if (device === undefined) return undefined;
  if (device.posture === undefined) {
    return riskFactor(RISK_FACTORS.devicePostureStale, settings, `no posture reported for device ${device.id}`);
  }
  const age = postureAgeSeconds(device, signals.now);
  if (age === undefined) {
    return riskFactor(RISK_FACTORS.devicePostureStale, settings, `the posture of device ${device.id} has no readable observation time`);
  }
  if (age <= settings.postureMaxAgeSeconds) return undefined;
  const limit = formatDuration(settings.postureMaxAgeSeconds);
  return riskFactor(RISK_FACTORS.devicePostureStale, settings, `posture observed ${formatDuration(age)} ago; limit ${limit}`);
};
