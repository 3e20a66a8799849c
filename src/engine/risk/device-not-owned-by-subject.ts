// Risk factor `device-not-owned-by-subject`: the inventory assigns the device to someone else
// (a shared or borrowed device, or credentials used on another person's machine).
import { isOwnedBySomeoneElse } from '../device-facts.js';
import { RISK_FACTORS } from '../reasons.js';
import { riskFactor, type RiskCriterion } from './criterion.js';

export const deviceNotOwnedBySubject: RiskCriterion = (request, signals, settings) => {
  const device = signals.device;
  if (device === undefined || !isOwnedBySomeoneElse(device, request.subject)) return undefined;
  return riskFactor(RISK_FACTORS.deviceNotOwnedBySubject, settings, `device ${device.id} is assigned to another user`);
};
