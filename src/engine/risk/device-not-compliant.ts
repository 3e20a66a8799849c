// Risk factor `device-not-compliant`: the posture source (MDM, EDR, agent) judged the device out of
// compliance. A posture that does not say is not counted here; staleness is its own factor.
import { RISK_FACTORS } from '../reasons.js';
import { riskFactor, type RiskCriterion } from './criterion.js';

export const deviceNotCompliant: RiskCriterion = (_request, signals, settings) => {
  const device = signals.device;
  if (device?.posture?.compliant !== false) return undefined;
  return riskFactor(RISK_FACTORS.deviceNotCompliant, settings, `device ${device.id} is reported not compliant by ${device.posture.source}`);
};
