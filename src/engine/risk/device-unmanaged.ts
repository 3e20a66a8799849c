// Risk factor `device-unmanaged`: the device is known but not under enterprise management (BYOD),
// so its posture is self-reported at best (NIST SP 800-207 §2.2 assumption 1).
import { RISK_FACTORS } from '../reasons.js';
import { riskFactor, type RiskCriterion } from './criterion.js';

export const deviceUnmanaged: RiskCriterion = (_request, signals, settings) => {
  const device = signals.device;
  if (device === undefined || device.managed) return undefined;
  return riskFactor(RISK_FACTORS.deviceUnmanaged, settings, `device ${device.id} is not managed by the organisation`);
};
