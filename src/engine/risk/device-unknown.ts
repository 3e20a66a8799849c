// Risk factor `device-unknown`: no verified device, or a device the inventory does not know
// (NIST SP 800-207 §2.1 tenet 5: requests from unknown assets get less trust).
import { RISK_FACTORS } from '../reasons.js';
import { riskFactor, type RiskCriterion } from './criterion.js';

export const deviceUnknown: RiskCriterion = (request, signals, settings) => {
  if (request.deviceId === undefined) {
    return riskFactor(RISK_FACTORS.deviceUnknown, settings, 'no verified device identity was presented');
  }
  if (signals.device === undefined) {
    return riskFactor(RISK_FACTORS.deviceUnknown, settings, `device ${request.deviceId} is not in the device inventory`);
  }
  return undefined;
};
