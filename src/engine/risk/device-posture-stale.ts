// Risk factor `device-posture-stale`: the newest trusted posture is older than the freshness limit,
// or none was reported. A missing signal is an explicit risk, never an implicit pass (NIST SP
// 800-207 §3.3). Reports from sources configured `ignore` do not count as posture.
import { devicePosture, postureAgeSeconds } from '../device-facts.js';
import { formatDuration } from '../explain-duration.js';
import { RISK_FACTORS } from '../reasons.js';
import { riskFactor, type RiskCriterion } from './criterion.js';

export const devicePostureStale: RiskCriterion = (_request, signals, settings) => {
  const device = signals.device;
  if (device === undefined) return undefined;
  if (devicePosture(device, signals.now, settings).newestTrusted === undefined) {
    const explanation = device.posture === undefined ? `no posture reported for device ${device.id}` : `no posture reported by a trusted source for device ${device.id}`;
    return riskFactor(RISK_FACTORS.devicePostureStale, settings, explanation);
  }
  const age = postureAgeSeconds(device, signals.now, settings);
  if (age === undefined) {
    return riskFactor(RISK_FACTORS.devicePostureStale, settings, `the posture of device ${device.id} has no readable observation time`);
  }
  if (age <= settings.postureMaxAgeSeconds) return undefined;
  const limit = formatDuration(settings.postureMaxAgeSeconds);
  return riskFactor(RISK_FACTORS.devicePostureStale, settings, `posture observed ${formatDuration(age)} ago; limit ${limit}`);
};
