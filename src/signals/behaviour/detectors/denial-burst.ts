// behaviour-denial-burst: the subject was denied at least `denials` times across at least
// `resources` distinct resources within `window` before this request: someone trying door after
// door (lateral-movement probing, MITRE ATT&CK TA0008/TA0007). Many denials on one resource is a
// misconfiguration or an impatient user, so distinct resources are required too.
import { formatDuration } from '../../../engine/explain-duration.js';
import { RISK_FACTORS } from '../../../engine/reasons.js';
import { BEHAVIOUR_SOURCE, type BehaviourDetector } from './detector.js';

export const denialBurst: BehaviourDetector = (baseline, current, settings) => {
  const rule = settings.denialBurst;
  if (!rule.enabled) return undefined;
  const since = current.atMs - rule.windowMs;
  const recent = baseline.denials.filter((denial) => denial.atMs >= since && denial.atMs <= current.atMs);
  if (recent.length < rule.denials) return undefined;
  const resources = new Set(recent.map((denial) => denial.resource)).size;
  if (resources < rule.resources) return undefined;
  return {
    factor: RISK_FACTORS.behaviourDenialBurst,
    reason: `denial burst: ${recent.length} denials across ${resources} resources in the last ${formatDuration(rule.windowMs / 1000)} (threshold ${rule.denials} across ${rule.resources})`,
    source: BEHAVIOUR_SOURCE,
  };
};
