// The behaviour detectors' thresholds in the units the code uses (milliseconds, counts), mapped
// from `behaviour` in tenet.yaml (src/config/behaviour-schema.ts, where each key is documented).
import type { BehaviourConfig } from '../../config/behaviour-schema.js';
import { durationSeconds } from '../../config/duration.js';
import { behaviourSchema } from '../../config/behaviour-schema.js';

export interface BehaviourSettings {
  /** Baselines cover this much history. */
  readonly historyWindowMs: number;
  readonly historyMaxRecords: number;
  /** Subjects kept in memory (LRU). */
  readonly maxSubjects: number;
  readonly newDevice: { readonly enabled: boolean; readonly minEvents: number; readonly learningPeriodMs: number };
  readonly impossibleTravel: { readonly enabled: boolean; readonly maxSpeedKmh: number; readonly minDistanceKm: number };
  readonly unusualHour: { readonly enabled: boolean; readonly minEvents: number; readonly minDays: number; readonly maxShare: number };
  readonly denialBurst: { readonly enabled: boolean; readonly denials: number; readonly resources: number; readonly windowMs: number };
  readonly requestRate: { readonly enabled: boolean; readonly multiplier: number; readonly floor: number; readonly minMinutes: number };
  /** One alert per (subject, factor) within this time. */
  readonly alertCooldownMs: number;
}

export function behaviourSettingsFrom(config: BehaviourConfig): BehaviourSettings {
  const ms = (text: string): number => durationSeconds(text) * 1000;
  return {
    historyWindowMs: ms(config.history.window),
    historyMaxRecords: config.history.maxRecords,
    maxSubjects: config.maxSubjects,
    newDevice: { enabled: config.newDevice.enabled, minEvents: config.newDevice.minEvents, learningPeriodMs: ms(config.newDevice.learningPeriod) },
    impossibleTravel: { ...config.impossibleTravel },
    unusualHour: { ...config.unusualHour },
    denialBurst: { enabled: config.denialBurst.enabled, denials: config.denialBurst.denials, resources: config.denialBurst.resources, windowMs: ms(config.denialBurst.window) },
    requestRate: { ...config.requestRate },
    alertCooldownMs: ms(config.alerts.cooldown),
  };
}

/** The settings tenet.yaml gives when `behaviour` is absent. */
export const DEFAULT_BEHAVIOUR_SETTINGS: BehaviourSettings = behaviourSettingsFrom(behaviourSchema.parse(undefined));
