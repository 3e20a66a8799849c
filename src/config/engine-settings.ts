// Maps the validated config onto the engine's settings (src/engine/settings.ts holds the defaults).
import { DEFAULT_ENGINE_SETTINGS, type CustomPostureCheck, type EngineSettings, type PostureRules, type PostureSettings } from '../engine/settings.js';
import { POSTURE_CHECKS } from '../engine/posture/posture-check.js';
import type { Sensitivity } from '../engine/decision.js';
import { RISK_FACTORS, type RiskFactorName } from '../engine/reasons.js';
import type { EntityRef } from '../engine/tuple.js';
import { TenetError } from '../errors.js';
import { durationSeconds } from './duration.js';
import type { PostureConfig } from './devices-schema.js';
import type { TenetConfig } from './schema.js';
import { suggestKey } from './schema-keys.js';

const FACTOR_NAMES: readonly string[] = Object.values(RISK_FACTORS);

export function engineSettingsFrom(config: TenetConfig): EngineSettings {
  const unknown = Object.keys(config.risk.weights).filter((name) => !FACTOR_NAMES.includes(name));
  if (unknown.length > 0) {
    throw new TenetError(
      'TENET_ERR_CONFIG_INVALID',
      'unknown risk factor in risk.weights',
      unknown.map((name) => {
        const suggestion = suggestKey(name, FACTOR_NAMES);
        return { path: `risk.weights.${name}`, message: `unknown risk factor "${name}"`, hint: suggestion ? `did you mean "${suggestion}"?` : `known factors: ${FACTOR_NAMES.join(', ')}` };
      }),
    );
  }
  const riskWeights = { ...DEFAULT_ENGINE_SETTINGS.riskWeights, ...(config.risk.weights as Partial<Record<RiskFactorName, number>>) };
  return {
    ...DEFAULT_ENGINE_SETTINGS,
    riskWeights,
    sensitivityOf: sensitivityLookup(config),
    maxRiskScore: config.risk.thresholds,
    postureMaxAgeSeconds: durationSeconds(config.freshness.devicePosture),
    authnMaxAgeSeconds: durationSeconds(config.freshness.authentication),
    stepUpMaxAgeSeconds: durationSeconds(config.freshness.stepUpMaxAge),
    posture: postureSettingsFrom(config.devices.posture),
    obligations: {
      ...DEFAULT_ENGINE_SETTINGS.obligations,
      allowCacheTtlSeconds: durationSeconds(config.obligations.cacheTtl),
      reevaluateAfterSeconds: durationSeconds(config.obligations.reevaluateAfter),
    },
  };
}

/** Exact `type::id` rules win over type-wide rules; resources without a rule have no threshold. */
function sensitivityLookup(config: TenetConfig): (resource: EntityRef) => Sensitivity | undefined {
  const exact = new Map<string, Sensitivity>();
  const byType = new Map<string, Sensitivity>();
  for (const rule of config.resources) {
    if (rule.id === undefined) byType.set(rule.type, rule.sensitivity);
    else exact.set(`${rule.type}\u0000${rule.id}`, rule.sensitivity);
  }
  // A route's sensitivity is shorthand for a `resources` entry (config checks refuse disagreement).
  for (const route of config.routes) {
    const key = `${route.resource.type}\u0000${route.resource.id}`;
    if (route.sensitivity !== undefined && !exact.has(key)) exact.set(key, route.sensitivity);
  }
  return (resource) => exact.get(`${resource.type}\u0000${resource.id}`) ?? byType.get(resource.type);
}

const BUILT_IN_CHECKS: readonly string[] = Object.values(POSTURE_CHECKS);

/** devices.posture → the engine's posture settings: durations in seconds, absent rules left out. */
export function postureSettingsFrom(posture: PostureConfig): PostureSettings {
  const { rules } = posture;
  const problems = rules.custom.flatMap((check, index) => {
    const path = `devices.posture.rules.custom.${index}.name`;
    if (BUILT_IN_CHECKS.includes(check.name)) return [{ path, message: `"${check.name}" is the name of a built-in check`, hint: 'choose another name' }];
    if (rules.custom.findIndex((other) => other.name === check.name) !== index) return [{ path, message: `the check name "${check.name}" is used twice` }];
    return [];
  });
  if (problems.length > 0) throw new TenetError('TENET_ERR_CONFIG_INVALID', 'invalid custom posture check', problems);
  const mapped: { -readonly [K in keyof PostureRules]: PostureRules[K] } = { custom: rules.custom.map(customCheckFrom) };
  if (rules.maxReportAge !== undefined) mapped.maxReportAgeSeconds = durationSeconds(rules.maxReportAge);
  if (rules.minOsVersion !== undefined) mapped.minOsVersion = { ...rules.minOsVersion };
  if (rules.firewallEnabled !== undefined) mapped.firewallEnabled = rules.firewallEnabled;
  if (rules.diskEncrypted !== undefined) mapped.diskEncrypted = rules.diskEncrypted;
  if (rules.screenLockEnabled !== undefined) mapped.screenLockEnabled = rules.screenLockEnabled;
  if (rules.maxPackageUpdateAge !== undefined) mapped.maxPackageUpdateAgeSeconds = durationSeconds(rules.maxPackageUpdateAge);
  if (rules.minAgentVersion !== undefined) mapped.minAgentVersion = rules.minAgentVersion;
  return {
    sources: Object.fromEntries(Object.entries(posture.sources).map(([source, { trust }]) => [source, trust])),
    defaultSourceTrust: posture.defaultSourceTrust,
    rules: mapped,
  };
}

function customCheckFrom(check: PostureConfig['rules']['custom'][number]): CustomPostureCheck {
  const mapped: { -readonly [K in keyof CustomPostureCheck]: CustomPostureCheck[K] } = { name: check.name, fact: check.fact };
  if (check.equals !== undefined) mapped.equals = check.equals;
  if (check.oneOf !== undefined) mapped.oneOf = [...check.oneOf];
  if (check.atLeast !== undefined) mapped.atLeast = check.atLeast;
  return mapped;
}
