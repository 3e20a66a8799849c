// Risk factor `device-revoked`: the device's enrolment was revoked (lost, stolen, retired); its
// credential must no longer open anything.
import { RISK_FACTORS } from '../reasons.js';
import { riskFactor, type RiskCriterion } from './criterion.js';

export const deviceRevoked: RiskCriterion = (_request, signals, settings) => {
  const device = signals.device;
  if (device?.status !== 'revoked') return undefined;
  return riskFactor(RISK_FACTORS.deviceRevoked, settings, `device ${device.id} has been revoked`);
};
