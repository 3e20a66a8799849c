// behaviour-new-device: the request comes from a device the subject has not used within the
// baseline window (or first used less than `learningPeriod` ago). Judged only once the subject has
// `minEvents` decisions in the baseline and at least one other known device: a subject's very
// first device is enrolment, not an anomaly.
import { formatDuration } from '../../../engine/explain-duration.js';
import { RISK_FACTORS } from '../../../engine/reasons.js';
import { BEHAVIOUR_SOURCE, type BehaviourDetector } from './detector.js';

export const newDevice: BehaviourDetector = (baseline, current, settings) => {
  const rule = settings.newDevice;
  const deviceId = current.deviceId;
  if (!rule.enabled || deviceId === undefined || baseline.events < rule.minEvents) return undefined;
  const since = current.atMs - settings.historyWindowMs;
  const isKnown = (use: { firstMs: number; lastMs: number }): boolean => use.lastMs >= since && use.firstMs <= current.atMs - rule.learningPeriodMs;
  const use = baseline.devices.get(deviceId);
  if (use !== undefined && isKnown(use)) return undefined;
  const others = [...baseline.devices].filter(([id, other]) => id !== deviceId && other.lastMs >= since);
  if (others.length === 0) return undefined;
  const window = formatDuration(settings.historyWindowMs / 1000);
  const reason = use === undefined || use.lastMs < since
    ? `new device: ${deviceId} was not used by this subject in the last ${window}`
    : `new device: ${deviceId} was first used ${formatDuration(Math.round((current.atMs - use.firstMs) / 1000))} ago`;
  return { factor: RISK_FACTORS.behaviourNewDevice, reason, source: BEHAVIOUR_SOURCE };
};
