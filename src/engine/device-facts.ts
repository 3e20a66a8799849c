// What Tenet concludes from the device inventory and posture, shared by the risk factors and the
// Cedar context (NIST SP 800-207 §2.1 tenet 5: the enterprise monitors the posture of every asset).
import { secondsSince } from './authn-facts.js';
import type { DeviceRecord } from './signals.js';
import type { EntityRef } from './tuple.js';

/** Seconds since the posture was observed; undefined when no posture was reported or its time is unreadable. */
export function postureAgeSeconds(device: DeviceRecord, now: Date): number | undefined {
  return secondsSince(device.posture?.observedAt, now);
}

export function isPostureFresh(device: DeviceRecord, now: Date, maxAgeSeconds: number): boolean {
  const age = postureAgeSeconds(device, now);
  return age !== undefined && age <= maxAgeSeconds;
}

/** True when the inventory names an owner and it is someone else; no recorded owner is not a mismatch. */
export function isOwnedBySomeoneElse(device: DeviceRecord, subject: EntityRef): boolean {
  return device.owner !== undefined && (device.owner.type !== subject.type || device.owner.id !== subject.id);
}
