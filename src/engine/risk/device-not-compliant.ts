// Risk factor `device-not-compliant`: the device failed its posture checks (posture/evaluate-posture.ts)
// on evidence: a trusted source's verdict, or a configured rule. Its weight counts once, however
// many checks failed; each failed check then follows as its own entry of weight 0
// (`device-not-compliant:<check>`, see PostureCheckFactorName), explained by the check's reason.
// Not counted here: `no-posture` (no trusted report: `device-posture-stale` counts that) and
// `no-verdict` (no rules and no source says either way — as before rules existed, a posture that
// does not say is not a risk factor, though the device is not compliant).
import type { RiskFactor } from '../decision.js';
import { devicePosture } from '../device-facts.js';
import { POSTURE_CHECKS, SOURCE_VERDICT_CHECK_PREFIX, type PostureCheck } from '../posture/posture-check.js';
import { postureCheckFactorName, RISK_FACTORS } from '../reasons.js';
import type { EngineSettings } from '../settings.js';
import type { SignalSnapshot } from '../signals.js';
import { riskFactor, type RiskCriterion } from './criterion.js';

const NOT_EVIDENCE: ReadonlySet<string> = new Set([POSTURE_CHECKS.noPosture, POSTURE_CHECKS.noVerdict]);

/** The failed checks that count as non-compliance risk. */
function failedOnEvidence(signals: SignalSnapshot, settings: EngineSettings): PostureCheck[] {
  const device = signals.device;
  if (device === undefined) return [];
  return devicePosture(device, signals.now, settings).checks.filter((check) => !check.passed && !NOT_EVIDENCE.has(check.name));
}

export const deviceNotCompliant: RiskCriterion = (_request, signals, settings) => {
  const failed = failedOnEvidence(signals, settings);
  if (signals.device === undefined || failed.length === 0) return undefined;
  const id = signals.device.id;
  const verdicts = failed.filter((check) => check.name.startsWith(SOURCE_VERDICT_CHECK_PREFIX));
  const explanation = verdicts.length === failed.length
    ? `device ${id} is reported not compliant by ${verdicts.map((check) => check.name.slice(SOURCE_VERDICT_CHECK_PREFIX.length)).join(', ')}`
    : `device ${id} failed posture checks: ${failed.map((check) => check.name).join(', ')}`;
  return riskFactor(RISK_FACTORS.deviceNotCompliant, settings, explanation);
};

/** One weight-0 entry per failed check, listed right after `device-not-compliant`. */
export function failedCheckFactors(signals: SignalSnapshot, settings: EngineSettings): RiskFactor[] {
  return failedOnEvidence(signals, settings).map((check) => ({ name: postureCheckFactorName(check.name), weight: 0, explanation: check.reason }));
}
