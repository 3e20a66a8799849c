// What Tenet concludes from the device inventory and posture, shared by the risk factors and the
// Cedar context (NIST SP 800-207 §2.1 tenet 5: the enterprise monitors the posture of every asset).
import { secondsSince } from './authn-facts.js';
import { evaluatePosture } from './posture/evaluate-posture.js';
import type { PostureEvaluation } from './posture/posture-check.js';
import type { EngineSettings } from './settings.js';
import type { DeviceRecord } from './signals.js';
import type { EntityRef } from './tuple.js';

/** The device's compliance under the configured source trust and rules (posture/evaluate-posture.ts). */
export function devicePosture(device: DeviceRecord, now: Date, settings: EngineSettings): PostureEvaluation {
  return evaluatePosture(device, now, settings.posture);
}

/**
 * Seconds since the newest trusted report was observed; undefined when no trusted source reported
 * or its time is unreadable. A report from an ignored source never makes posture fresh.
 */
export function postureAgeSeconds(device: DeviceRecord, now: Date, settings: EngineSettings): number | undefined {
  return secondsSince(devicePosture(device, now, settings).newestTrusted?.observedAt, now);
}

export function isPostureFresh(device: DeviceRecord, now: Date, settings: EngineSettings): boolean {
  const age = postureAgeSeconds(device, now, settings);
  return age !== undefined && age <= settings.postureMaxAgeSeconds;
}

/** True when the inventory names an owner and it is someone else; no recorded owner is not a mismatch. */
export function isOwnedBySomeoneElse(device: DeviceRecord, subject: EntityRef): boolean {
  return device.owner !== undefined && (device.owner.type !== subject.type || device.owner.id !== subject.id);
}
