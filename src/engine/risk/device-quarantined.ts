// Risk factor `device-quarantined`: an administrator or a signal (EDR alert, CAEP event) put the
// device in quarantine.
import { RISK_FACTORS } from '../reasons.js';
import { riskFactor, type RiskCriterion } from './criterion.js';

export const deviceQuarantined: RiskCriterion = (_request, signals, settings) => {
  const device = signals.device;
  if (device?.status !== 'quarantined') return undefined;
  return riskFactor(RISK_FACTORS.deviceQuarantined, settings, `device ${device.id} is quarantined`);
};
